Feature: Large-value reports and suspicious patterns in a day's transactions

  Scenario: Two cash deposits on two accounts reach the cash threshold before National Day
    Given the transactions:
      | tx_id | timestamp           | customer_id | customer_type | account_id | direction | channel | amount | currency |
      | t1    | 2025-09-30T10:00:00 | C1          | individual    | A1         | in        | cash    | 30000  | CNY      |
      | t2    | 2025-09-30T15:00:00 | C1          | individual    | A2         | in        | cash    | 20000  | CNY      |
      | t3    | 2025-09-30T16:00:00 | C2          | individual    | A3         | in        | cash    | 49999  | CNY      |
    When the transactions are monitored
    Then a large-value report is raised for customer "C1" on 2025-09-30, due 2025-10-14
    And no alert is raised for customer "C2"

  Scenario: Cash kept just under the threshold over three days
    Given the transactions:
      | tx_id | timestamp           | customer_id | customer_type | account_id | direction | channel | amount | currency |
      | s1    | 2025-09-01T10:00:00 | C7          | individual    | A7         | in        | cash    | 45000  | CNY      |
      | s2    | 2025-09-02T10:00:00 | C7          | individual    | A7         | in        | cash    | 48000  | CNY      |
      | s3    | 2025-09-03T10:00:00 | C7          | individual    | A7         | in        | cash    | 49500  | CNY      |
    Then a suspicious alert of typology "structuring" names transactions "s1, s2, s3"

  Scenario: A round trip through three customers within three days
    Given the transactions:
      | tx_id | timestamp           | customer_id | customer_type | account_id | direction | channel  | amount | currency | counterparty_id |
      | r1    | 2025-09-01T10:00:00 | C1          | individual    | A1         | out       | transfer | 30000  | CNY      | B1              |
      | r2    | 2025-09-02T10:00:00 | C2          | individual    | B1         | out       | transfer | 29500  | CNY      | D1              |
      | r3    | 2025-09-03T10:00:00 | C3          | individual    | D1         | out       | transfer | 29000  | CNY      | A1              |
    Then a suspicious alert of typology "cycle" names transactions "r1, r2, r3"

  Scenario: Money layered through a chain of fresh accounts of five customers, legs out of order
    Given the transactions:
      | tx_id | timestamp           | customer_id | customer_type | account_id | direction | channel  | amount | currency | counterparty_id |
      | h0    | 2025-07-01T10:00:00 | C9          | individual    | Z9         | in        | cash     | 100    | CNY      |                 |
      | l1    | 2025-09-01T10:00:00 | C1          | individual    | A1         | out       | transfer | 30000  | CNY      | B1              |
      | l3    | 2025-09-02T10:00:00 | C3          | individual    | D1         | out       | transfer | 28000  | CNY      | E1              |
      | l2    | 2025-09-03T10:00:00 | C2          | individual    | B1         | out       | transfer | 29000  | CNY      | D1              |
      | l4    | 2025-09-05T10:00:00 | C4          | individual    | E1         | out       | transfer | 27000  | CNY      | F1              |
    Then a suspicious alert of typology "layering" names transactions "l1, l2, l3, l4"
    And no alert is raised for customer "C9"
