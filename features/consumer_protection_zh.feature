# language: zh-CN
功能: 征信：不良信息保存期限和异议处理时限
  《征信业管理条例》第十六条规定征信机构对个人不良信息的保存期限自不良行为或者事件终止之日起为5年，
  超过5年的应当删除；第二十五条规定收到异议后20日内核查处理并书面答复。
  合规部门用下列场景核对期限两侧的结论。

  背景:
    假如基础产品规格"payment-compliant"，修改以下字段：
      | 字段                                                           | 值                   |
      | product.category                                               | credit_scoring       |
      | operator.licenses                                              | [credit_reporting]   |
      | consumer_protection.credit_reporting.adverse_information_retention_years | 5          |
      | consumer_protection.credit_reporting.objection_handling_days   | 20                   |
    并且只检查消费者权益保护规则
    并且检查基准日为2026-01-01

  场景大纲: 不良信息保存期限
    假如修改产品规格的以下字段：
      | 字段                                                                     | 值         |
      | consumer_protection.credit_reporting.adverse_information_retention_years | <保存年限> |
    那么规则CREDIT-016-ADVERSE-INFORMATION-KEPT-TOO-LONG的结论为<结论>
    并且消费者权益保护主题的问题数为<问题数>

    例子:
      | 保存年限 | 结论   | 问题数 |
      | 5        | 合规   | 0      |
      | 6        | 不合规 | 1      |

  场景大纲: 异议处理时限
    假如修改产品规格的以下字段：
      | 字段                                                         | 值         |
      | consumer_protection.credit_reporting.objection_handling_days | <处理天数> |
    那么规则CREDIT-025-OBJECTION-HANDLING-TOO-SLOW的结论为<结论>

    例子:
      | 处理天数 | 结论   |
      | 20       | 合规   |
      | 21       | 不合规 |

  场景: 未写明保存期限时证据不足
    假如删除产品规格的以下字段：
      | 字段                                                                     |
      | consumer_protection.credit_reporting.adverse_information_retention_years |
    那么规则CREDIT-016-ADVERSE-INFORMATION-KEPT-TOO-LONG的结论为证据不足

  场景: 支付机构不是征信机构
    假如基础产品规格"payment-compliant"
    并且只检查消费者权益保护规则
    并且检查基准日为2026-01-01
    那么规则CREDIT-016-ADVERSE-INFORMATION-KEPT-TOO-LONG的结论为不适用
    并且没有任何问题
