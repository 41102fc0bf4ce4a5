Feature: Data security duties of a processor of important data
  Important data (重要数据) may leave China only after a CAC security assessment (DSL Art. 31;
  from 2025-01-01 also NDSR Art. 37), and its risk assessment must be repeated every year
  (NDSR Art. 33 from 2025-01-01). The data-protection office checks that the rules pick the
  instrument in force on the as-of date and flag an overdue assessment on the right day.

  Scenario Outline: Important data stored abroad without a security assessment
    Given the product spec "specs/clearing-network.yaml"
    And only the data_security rules
    And the as-of date is <as of>
    When the check is run
    Then the rule <rule in force> fires
    And the outcome of rule <rule not in force> is not_applicable
    And a finding cites DSL article 31 with severity critical or above
    And the CLI would exit with status 1 with --fail-on critical

    Examples: before and after the Network Data Security Regulations took effect
      | as of      | rule in force                               | rule not in force                           |
      | 2024-12-31 | DSL-031-IMPORTANT-DATA-ABROAD-NO-ASSESSMENT  | NDSR-037-IMPORTANT-DATA-ABROAD-NO-ASSESSMENT |
      | 2025-01-01 | NDSR-037-IMPORTANT-DATA-ABROAD-NO-ASSESSMENT | DSL-031-IMPORTANT-DATA-ABROAD-NO-ASSESSMENT  |

  Scenario: Keeping important data in China clears the cross-border findings
    Given the product spec "specs/clearing-network.yaml"
    And these spec fields are changed:
      | path                          | value |
      | data_security.storage_regions | [CN]  |
    And only the data_security rules
    And the as-of date is 2026-11-25
    Then there are no findings
    And the CLI would exit with status 0 with --fail-on info

  Scenario Outline: The annual risk assessment of important data
    Given the base spec "ds-important-data" with these changes:
      | path                                    | value         |
      | data_security.risk_assessment.last_date | <last assessed> |
    And the as-of date is <as of>
    Then the outcome of rule NDSR-033-RISK-ASSESSMENT-OVERDUE is <outcome>

    Examples:
      | last assessed | as of      | outcome        |
      | 2025-11-25    | 2026-11-25 | pass           |
      | 2025-11-24    | 2026-11-25 | fail           |
      | 2023-06-01    | 2024-12-31 | not_applicable |
      | 2023-06-01    | 2025-01-01 | fail           |

  Scenario Outline: Data classification, under the law in force
    Given the product spec:
      """
      spec_version: 1
      product: {id: new-wallet, name: New Wallet, category: payment}
      data_security:
        classification_done: <classified>
      """
    And the as-of date is <as of>
    Then the outcome of rule <rule> is <outcome>

    Examples:
      | classified | as of      | rule                            | outcome |
      | false      | 2024-06-01 | NDSR-005-CLASSIFICATION-NOT-DONE | fail    |
      | true       | 2024-06-01 | NDSR-005-CLASSIFICATION-NOT-DONE | pass    |
      | false      | 2026-01-01 | NDSR-005-CLASSIFICATION-NOT-DONE | fail    |
      | false      | 2017-05-31 | NDSR-005-CLASSIFICATION-NOT-DONE | not_applicable |
