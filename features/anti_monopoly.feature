Feature: Anti-monopoly checks of a payment platform
  The competition team wants unnotified concentrations judged by the thresholds in force on
  the CLOSING date (the State Council raised them on 2024-01-22), and tying judged by the
  operator's market share (a share of one half presumes dominance, AML Art. 24).

  Background:
    Given the base spec "payment-compliant"
    And only the anti_monopoly rules
    And the as-of date is 2026-11-25

  Scenario Outline: An unnotified concentration against the old and new thresholds
    Given these spec fields are changed:
      | path                                                    | value          |
      | market_conduct.concentrations[0].counterparty           | Target Co      |
      | market_conduct.concentrations[0].closing_date           | <closed>       |
      | market_conduct.concentrations[0].combined_turnover_cny  | {global: <worldwide>, china: <china>} |
      | market_conduct.concentrations[0].each_party_china_turnover_cny | [3000000000, 900000000] |
      | market_conduct.concentrations[0].filed                  | false          |
    When the check is run
    Then the outcome of rule <rule> is <outcome>

    Examples: closed before 2024-01-22: over CNY 10 bn worldwide or CNY 2 bn in China
      | closed     | worldwide   | china      | rule                    | outcome |
      | 2023-12-01 | 10000000001 | 1000000000 | CONC-003-2008-NOT-FILED | fail    |
      | 2023-12-01 | 10000000000 | 2000000000 | CONC-003-2008-NOT-FILED | pass    |

    Examples: closed on or after 2024-01-22: over CNY 12 bn worldwide or CNY 4 bn in China
      | closed     | worldwide   | china      | rule                    | outcome |
      | 2024-01-22 | 11000000000 | 3000000000 | CONC-003-2024-NOT-FILED | pass    |
      | 2024-01-22 | 11000000000 | 3000000000 | CONC-003-2008-NOT-FILED | pass    |
      | 2024-02-01 | 12000000001 | 3000000000 | CONC-003-2024-NOT-FILED | fail    |
      | 2025-05-01 | 12000000000 | 4000000001 | CONC-003-2024-NOT-FILED | fail    |

  Scenario: A notifiable deal that was not notified fails the release gate
    Given these spec fields are changed:
      | path                                                           | value                    |
      | market_conduct.concentrations[0].counterparty                  | Target Co                |
      | market_conduct.concentrations[0].closing_date                  | 2026-02-01               |
      | market_conduct.concentrations[0].combined_turnover_cny         | {global: 15000000000, china: 3000000000} |
      | market_conduct.concentrations[0].each_party_china_turnover_cny | [2000000000, 900000000]  |
      | market_conduct.concentrations[0].filed                         | false                    |
    Then the rule CONC-003-2024-NOT-FILED fires
    And a finding cites AML-MONOPOLY article 26 with severity high or above
    And a finding cites CONC-THRESHOLDS article 3 with severity high or above
    And the number of anti_monopoly findings is 1
    And the CLI would exit with status 1 with --fail-on high

  Scenario Outline: Tying, by the operator's market share
    Given these spec fields are changed:
      | path                           | value   |
      | market_conduct.tying           | true    |
      | operator.market_share[0].share | <share> |
    Then the rule <rule> fires
    And the rule NBPI-042-MONOPOLY-CONDUCT fires
    And the number of anti_monopoly findings is 2
    And there are no findings of severity <not reached> or above

    Examples: below 10 %, 10 % up to one half, one half and more
      | share | rule                      | not reached |
      | 0.05  | AM-022-TYING-NON-DOMINANT | high        |
      | 0.1   | AM-022-TYING-JOINT        | high        |
      | 0.49  | AM-022-TYING-JOINT        | high        |
      | 0.5   | AM-022-TYING-DOMINANT     | critical    |

  Scenario: No unfair conduct, no findings
    Then there are no findings
    And the CLI would exit with status 0 with --fail-on info
