Feature: The compliance team's own rules, beside the built-in packs
  House policy limits the retention of personal information to five years. The rule lives in
  the folder house_rules/ next to this feature; the scenarios check it alone and together
  with the built-in packs.

  Scenario Outline: Retention against the house limit
    Given only the rules in folder "house_rules"
    And the base spec "payment-compliant" with these changes:
      | path                                               | value  |
      | personal_information.categories[1].retention_days  | <days> |
    And the as-of date is 2026-11-25
    Then the outcome of rule HOUSE-019-RETENTION-OVER-FIVE-YEARS is <outcome>

    Examples:
      | days | outcome |
      | 1825 | pass    |
      | 1826 | fail    |

  Scenario: House rules are checked together with the built-in packs
    Given the rules in folder "house_rules"
    And the base spec "payment-compliant" with these changes:
      | path                                              | value |
      | personal_information.categories[1].retention_days | 3650  |
      | personal_information.categories[0].separate_consent | false |
    And the as-of date is 2026-11-25
    When the check is run
    Then the rule HOUSE-019-RETENTION-OVER-FIVE-YEARS fires
    And the rule PIPL-029-SENSITIVE-SEPARATE-CONSENT fires
    And a finding cites PIPL article 19 with severity medium or above
    And the number of personal_information findings is 2
    And the CLI would exit with status 0 with --fail-on critical
    And the CLI would exit with status 1 with --fail-on high

  Scenario: Rules skipped or selected by id or pattern, as --skip-rule and --select-rule
    Given the rules in folder "house_rules"
    And the base spec "payment-compliant" with these changes:
      | path                                              | value |
      | personal_information.categories[1].retention_days | 3650  |
    And the rules matching "HOUSE-*" are skipped
    And the as-of date is 2026-11-25
    When the check is run
    Then the number of personal_information findings is 0

  Scenario: Only the selected rules are checked
    Given the rules in folder "house_rules"
    And the base spec "payment-compliant" with these changes:
      | path                                              | value |
      | personal_information.categories[1].retention_days | 3650  |
    And only the rules matching "HOUSE-019-*"
    And the as-of date is 2026-11-25
    Then the rule HOUSE-019-RETENTION-OVER-FIVE-YEARS fires
