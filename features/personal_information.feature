# language: zh-CN
功能: 个人信息出境的数量门槛
  《促进和规范数据跨境流动规定》自 2024-03-22 起把申报数据出境安全评估的门槛
  从 10 万人提高到 100 万人（非敏感个人信息，当年 1 月 1 日起累计），
  并对 10 万人以下的出境给予豁免。合规部门据此确认：同一笔出境，
  在不同检查基准日应适用不同门槛，并引用当时有效的规定。

  背景:
    假如基础产品规格"pi-cross-border"

  场景大纲: 以标准合同出境，出境人数与新旧门槛
    假如修改产品规格的以下字段：
      | 字段                                                               | 值       |
      | personal_information.cross_border_transfers[0].individuals_this_year | <出境人数> |
    并且检查基准日为<基准日>
    当运行合规检查
    那么规则PIPL-038-CROSS-BORDER-MECHANISM-TOO-WEAK的结论为<结论>

    例子: 2024-03-22 之前：10 万人起须申报安全评估
      | 出境人数 | 基准日     | 结论   |
      | 99999    | 2024-03-21 | 合规   |
      | 100000   | 2024-03-21 | 不合规 |
      | 200000   | 2024-03-21 | 不合规 |

    例子: 2024-03-22 起：100 万人起须申报安全评估
      | 出境人数 | 基准日     | 结论   |
      | 200000   | 2024-03-22 | 合规   |
      | 999999   | 2026-01-01 | 合规   |
      | 1000000  | 2026-01-01 | 不合规 |

  场景大纲: 不合规时引用当时有效的门槛规定
    假如修改产品规格的以下字段：
      | 字段                                                               | 值       |
      | personal_information.cross_border_transfers[0].individuals_this_year | <出境人数> |
    并且检查基准日为<基准日>
    那么规则PIPL-038-CROSS-BORDER-MECHANISM-TOO-WEAK触发
    并且有问题引用PIPL第38条且严重程度不低于高
    并且有问题引用<规定>第<条>条且严重程度不低于高

    例子:
      | 出境人数 | 基准日     | 规定      | 条 |
      | 200000   | 2024-03-21 | CBDT-2022 | 4  |
      | 1500000  | 2026-01-01 | CBDF-2024 | 7  |

  场景大纲: 依赖数量豁免的出境
    假如修改产品规格的以下字段：
      | 字段                                                                           | 值         |
      | personal_information.cross_border_transfers[0].mechanism                       | exempt     |
      | personal_information.cross_border_transfers[0].individuals_this_year           | <出境人数>  |
      | personal_information.cross_border_transfers[0].sensitive_individuals_this_year | <敏感人数>  |
    并且检查基准日为2026-01-01
    那么规则PIPL-038-CROSS-BORDER-MECHANISM-TOO-WEAK的结论为<结论>

    例子:
      | 出境人数 | 敏感人数 | 结论   |
      | 99999    | 0        | 合规   |
      | 100000   | 0        | 不合规 |
      | 50000    | 1        | 不合规 |

  场景: 合规的跨境支付产品没有个人信息保护问题
    假如只检查个人信息保护规则
    并且检查基准日为2026-01-01
    当运行合规检查
    那么没有任何问题
    并且命令行以 --fail-on 低 运行时退出码为0
