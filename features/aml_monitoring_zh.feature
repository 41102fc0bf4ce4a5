# language: zh-CN
功能: 大额交易报告

  场景: 春节前两笔现金存款累计达到大额标准
    假如有以下交易：
      | tx_id | timestamp           | customer_id | customer_type | account_id | direction | channel | amount | currency |
      | t1    | 2026-02-12T10:00:00 | C1          | individual    | A1         | in        | cash    | 25000  | CNY      |
      | t2    | 2026-02-12T23:59:59 | C1          | individual    | A2         | in        | cash    | 25000  | CNY      |
      | t3    | 2026-02-12T16:30:00Z | C2         | individual    | A3         | in        | cash    | 50000  | CNY      |
    当监测这些交易
    那么为客户“C1”在2026-02-12生成大额交易报告，报送截止2026-02-26
    而且为客户“C2”在2026-02-13生成大额交易报告，报送截止2026-02-27

  场景: 交易对手名称为繁体写法的制裁名单实体
    假如有以下交易：
      | tx_id | timestamp           | customer_id | customer_type | account_id | direction | channel  | amount | currency | counterparty_id | counterparty_name |
      | n1    | 2025-09-10T10:00:00 | C5          | entity        | A5         | out       | transfer | 8000   | CNY      | X1              | 東方遠景國際貿易有限公司 |
      | n2    | 2025-09-10T11:00:00 | C6          | entity        | A6         | out       | transfer | 8000   | CNY      | X2              | 上海华瑞贸易有限公司 |
    那么“sanctions_match”类型的可疑预警列出交易“n1”
    而且客户“C6”没有预警

  场景: 一天内八个首次付款的账户向同一账户转入
    假如有以下交易：
      | tx_id | timestamp           | customer_id | customer_type | account_id | direction | channel  | amount | currency | counterparty_id |
      | f1    | 2025-09-10T09:00:00 | C8          | individual    | A8         | in        | transfer | 3000   | CNY      | X1              |
      | f2    | 2025-09-10T10:00:00 | C8          | individual    | A8         | in        | transfer | 3000   | CNY      | X2              |
      | f3    | 2025-09-10T11:00:00 | C8          | individual    | A8         | in        | transfer | 3000   | CNY      | X3              |
      | f4    | 2025-09-10T12:00:00 | C8          | individual    | A8         | in        | transfer | 3000   | CNY      | X4              |
      | f5    | 2025-09-10T13:00:00 | C8          | individual    | A8         | in        | transfer | 3000   | CNY      | X5              |
      | f6    | 2025-09-10T14:00:00 | C8          | individual    | A8         | in        | transfer | 3000   | CNY      | X6              |
      | f7    | 2025-09-10T15:00:00 | C8          | individual    | A8         | in        | transfer | 3000   | CNY      | X7              |
      | f8    | 2025-09-10T16:00:00 | C8          | individual    | A8         | in        | transfer | 3000   | CNY      | X8              |
    那么“fan_in”类型的可疑预警列出交易“f1, f2, f3, f4, f5, f6, f7, f8”

  场景: 资金沿一串新建收付关系经五个客户的账户分层转移，各笔先后顺序打乱
    假如有以下交易：
      | tx_id | timestamp           | customer_id | customer_type | account_id | direction | channel  | amount | currency | counterparty_id |
      | h0    | 2025-07-01T10:00:00 | C9          | individual    | Z9         | in        | cash     | 100    | CNY      |                 |
      | l1    | 2025-09-01T10:00:00 | C1          | individual    | A1         | out       | transfer | 30000  | CNY      | B1              |
      | l3    | 2025-09-02T10:00:00 | C3          | individual    | D1         | out       | transfer | 28000  | CNY      | E1              |
      | l2    | 2025-09-03T10:00:00 | C2          | individual    | B1         | out       | transfer | 29000  | CNY      | D1              |
      | l4    | 2025-09-05T10:00:00 | C4          | individual    | E1         | out       | transfer | 27000  | CNY      | F1              |
    那么“layering”类型的可疑预警列出交易“l1, l2, l3, l4”
    而且客户“C9”没有预警
