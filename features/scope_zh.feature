# language: zh-CN
功能: 适用范围由产品声明的事实决定
  产品声明的类别、技术、用户、地区和牌照决定哪些部分属于适用范围：
  属于适用范围却缺失的部分本身就是一项问题，读取该部分的规则均为证据不足，合规门禁不予通过。

  场景: 两百万用户的刷脸支付应用没有填写个人信息部分
    假如产品规格如下：
      """
      spec_version: 1
      product: {id: bare-pay, name: 刷脸付, category: payment, technologies: [biometrics, ai], regions: [CN]}
      operator: {licenses: [payment]}
      users: {expected_users: 2000000}
      """
    并且检查基准日为2026-11-25
    当运行合规检查
    那么规则SCOPE-PERSONAL-INFORMATION-MISSING触发
    并且规则PIPL-029-SENSITIVE-SEPARATE-CONSENT的结论为证据不足
    并且命令行以 --fail-on 高 运行时退出码为1
