Feature: Scope comes from what the product declares
  A section left out of a spec used to mean "the product does not do that", so a payment
  app could pass every personal-information rule by not describing its personal information.
  Now the facts a product declares (its category, technologies, users, regions, licences)
  bring sections into scope: a missing in-scope section is a finding, and every rule that
  reads it is undetermined, which fails the gate. Facts that put a theme out of scope make
  its rules not applicable.

  Scenario: A face-payment app with two million users that leaves out its personal information
    Given the product spec:
      """
      spec_version: 1
      product: {id: bare-pay, name: Bare Pay, category: payment, technologies: [biometrics, ai], regions: [CN]}
      operator: {licenses: [payment]}
      users: {expected_users: 2000000}
      """
    And the as-of date is 2026-11-25
    When the check is run
    Then the rule SCOPE-PERSONAL-INFORMATION-MISSING fires
    And the rule SCOPE-DATA-SECURITY-MISSING fires
    And the rule SCOPE-AML-MISSING fires
    And the outcome of rule PIPL-029-SENSITIVE-SEPARATE-CONSENT is insufficient_evidence
    And a finding cites PIPL article 9 with severity high or above
    And the CLI would exit with status 1 with --fail-on high

  Scenario: A business-to-business ledger with no individual users
    Given the product spec:
      """
      spec_version: 1
      product: {id: ledger-b2b, name: Ledger, category: other, regions: [CN], channels: [api]}
      operator: {licenses: [bank]}
      users: {expected_users: 0}
      """
    And the as-of date is 2026-11-25
    When the check is run
    Then the rule SCOPE-PERSONAL-INFORMATION-MISSING does not fire
    And the rule SCOPE-AML-MISSING does not fire
    And the outcome of rule PIPL-029-SENSITIVE-SEPARATE-CONSENT is not_applicable
    And the outcome of rule AMLL-027-NO-AML-PROGRAM is not_applicable
