Feature: Consumer protection: tied products and fee disclosure
  The Consumer Rights Law lets consumers decide for themselves whether to buy any product or
  accept any service (Art. 9) and forbids forced transactions (Arts. 10, 16); the E-Commerce Law
  forbids making a tied product a default option (Art. 19), but leaves financial products out
  of its scope (Art. 2), so for them a pre-ticked box is graded as practice. A financial service
  tells consumers its prices and fees (CRL Art. 28). The consumer-protection team checks which
  rule each checkout design raises.

  Background:
    Given the base spec "payment-compliant"
    And only the consumer_protection rules
    And the as-of date is 2026-01-01

  Scenario Outline: Insurance sold with the product
    Given these spec fields are changed:
      | path                                                  | value         |
      | consumer_protection.tied_products[0].can_decline          | <can decline> |
      | consumer_protection.tied_products[0].selected_by_default  | <pre-ticked>  |
    Then the outcome of rule CRL-016-FORCED-TIED-PRODUCT is <forced>
    And the outcome of rule ECOM-019-TIED-PRODUCT-PRESELECTED is <pre-selected>
    And the number of consumer_protection findings is <findings>

    Examples:
      | can decline | pre-ticked | forced | pre-selected | findings |
      | true        | false      | pass   | pass         | 0        |
      | true        | true       | pass   | fail         | 1        |
      | false       | false      | fail   | pass         | 1        |
      | false       | true       | fail   | fail         | 2        |

  Scenario: A pre-ticked box is recommended against, not a high finding
    Given these spec fields are changed:
      | path                                                     | value |
      | consumer_protection.tied_products[0].selected_by_default | true  |
    Then the rule ECOM-019-TIED-PRODUCT-PRESELECTED fires
    And a finding cites ECOM-2018 article 19 with severity medium or above
    And there are no findings of severity high or above
    And the CLI would exit with status 0 with --fail-on high

  Scenario: Fees kept from consumers
    Given these spec fields are changed:
      | path                               | value |
      | consumer_protection.disclosure.fees | false |
    Then the rule CRL-028-FEES-NOT-DISCLOSED fires
    And a finding cites CONSUMER-2013 article 28 with severity high or above
    And the CLI would exit with status 1 with --fail-on high

  Scenario: A payment app that leaves the section out
    Given these spec fields are removed:
      | path                |
      | consumer_protection |
    Then the rule SCOPE-CONSUMER-PROTECTION-MISSING fires
    And the outcome of rule CRL-028-FEES-NOT-DISCLOSED is insufficient_evidence
