"""Pydantic models of the product spec, format version 1 (``contracts/product-spec``).

Field names, nesting and enum values are the contract: do not rename. Every section except
``spec_version`` and ``product`` is optional to write, but the facts a product declares bring
sections into scope (rules/scope.yaml): an in-scope section left out is a finding, and the
rules reading it are undetermined. Optional fields default to ``None`` so that "not written"
stays distinguishable from "written as false" (rules report the former as insufficient
evidence). Fields made with :func:`control` record what the operator does (consents,
assessments, encryption, officers, filings); every other field is a fact about the product.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, Strict, StringConstraints


def control() -> Any:
    """A field that records a control: what the operator does about the product (consents,
    assessments, encryption, officers, filings), as opposed to a fact about what the product
    is, holds or serves. ``explain`` proposes changes to controls only."""
    return Field(default=None, json_schema_extra={"role": "control"})


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=False, use_enum_values=True)


class Category(StrEnum):
    PAYMENT = "payment"
    CONSUMER_CREDIT = "consumer_credit"
    SME_LENDING = "sme_lending"
    WEALTH_MANAGEMENT = "wealth_management"
    ROBO_ADVISORY = "robo_advisory"
    INSURANCE = "insurance"
    SUPPLY_CHAIN_FINANCE = "supply_chain_finance"
    CROSS_BORDER_PAYMENT = "cross_border_payment"
    CREDIT_SCORING = "credit_scoring"
    DIGITAL_ASSET = "digital_asset"
    CROWDFUNDING = "crowdfunding"
    OTHER = "other"


class Channel(StrEnum):
    MOBILE_APP = "mobile_app"
    MINI_PROGRAM = "mini_program"
    WEB = "web"
    API = "api"
    OFFLINE = "offline"


class Technology(StrEnum):
    AI = "ai"
    BIG_DATA = "big_data"
    BLOCKCHAIN = "blockchain"
    CLOUD = "cloud"
    BIOMETRICS = "biometrics"
    IOT = "iot"
    GENERATIVE_AI = "generative_ai"


class License(StrEnum):
    BANK = "bank"
    PAYMENT = "payment"
    CONSUMER_FINANCE = "consumer_finance"
    MICROLENDING = "microlending"
    SECURITIES = "securities"
    FUND_SALES = "fund_sales"
    INSURANCE = "insurance"
    CREDIT_REPORTING = "credit_reporting"
    NONE = "none"


class PIType(StrEnum):
    IDENTITY = "identity"
    CONTACT = "contact"
    BIOMETRIC = "biometric"
    FINANCIAL_ACCOUNT = "financial_account"
    TRANSACTION = "transaction"
    CREDIT = "credit"
    LOCATION = "location"
    HEALTH = "health"
    RELIGION = "religion"
    MINORS = "minors"
    DEVICE = "device"
    BEHAVIORAL = "behavioral"
    OTHER = "other"


class FinancialClass(StrEnum):
    C1 = "C1"
    C2 = "C2"
    C3 = "C3"


class LegalBasis(StrEnum):
    CONSENT = "consent"
    CONTRACT = "contract"
    LEGAL_OBLIGATION = "legal_obligation"
    PUBLIC_INTEREST = "public_interest"
    PUBLIC_INFO = "public_info"
    HR = "hr"
    EMERGENCY = "emergency"  # PIPL Art. 13(4): life, health or property in an emergency


class ADMPurpose(StrEnum):
    CREDIT_SCORING = "credit_scoring"
    PRICING = "pricing"
    MARKETING = "marketing"
    RISK_CONTROL = "risk_control"
    ADVICE = "advice"


class TransferMechanism(StrEnum):
    SECURITY_ASSESSMENT = "security_assessment"
    STANDARD_CONTRACT = "standard_contract"
    CERTIFICATION = "certification"
    EXEMPT = "exempt"
    NONE = "none"


class SandboxProgram(StrEnum):
    PBOC_FINTECH_INNOVATION = "pboc_fintech_innovation"
    LOCAL_PILOT = "local_pilot"
    OTHER = "other"


ProductId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=100)]
CountryCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
# Numbers and flags are strict: `true` is not 1, 1.0 and "1" are not counts, 1 is not true.


def _not_a_number(value: object) -> object:
    """Dates are written as dates (YAML) or ISO text (JSON), never as numbers (pydantic's
    lax mode reads 1700000000 as a date: a typo would pass as a plausible day)."""
    if isinstance(value, bool | int | float):
        raise ValueError("a date is written YYYY-MM-DD, not as a number")
    return value


Count = Annotated[int, Strict(), Field(ge=0)]
Money = Annotated[int, Strict(), Field(ge=0)]
Share = Annotated[float, Strict(), Field(ge=0, le=1)]
Level = Annotated[int, Strict(), Field(ge=1, le=5)]
Flag = Annotated[bool, Strict()]
Date = Annotated[dt.date, BeforeValidator(_not_a_number)]


class Product(_Model):
    id: ProductId
    name: str
    category: Category
    description: str | None = None
    launch_date: Date | None = None
    regions: list[CountryCode] | None = None
    channels: list[Channel] | None = None
    technologies: list[Technology] | None = None


class Turnover(_Model):
    global_: Money | None = Field(default=None, alias="global")
    china: Money | None = None


class MarketShare(_Model):
    market: str
    share: Share


class Operator(_Model):
    legal_name: str | None = None
    licenses: list[License] | None = None
    is_ciio: Flag | None = None
    turnover_cny: Turnover | None = None
    market_share: list[MarketShare] | None = None
    registered_capital_cny: Money | None = None  # 注册资本 (UBO-2024 Art. 3 exemption test)
    paid_in_capital_cny: Money | None = None  # 实缴货币资本 (NBPI-2023 Art. 8)
    ubo_filed: Flag | None = control()  # own beneficial owners filed with the registrar (UBO-2024)


class Users(_Model):
    expected_users: Count | None = None
    includes_minors_under_14: Flag | None = None
    monthly_active_users: Count | None = None  # NDSR Art. 62(8) large-platform test


class PICategory(_Model):
    name: str
    type: PIType | None = None
    sensitive: Flag | None = None
    financial_class: FinancialClass | None = None
    purpose: str | None = None
    legal_basis: LegalBasis | None = None
    separate_consent: Flag | None = control()
    retention_days: Count | None = control()
    necessary: Flag | None = None
    # PIPL Art. 30: the necessity and the effect on the individual's rights were notified
    necessity_impact_notified: Flag | None = control()


class PrivacyPolicy(_Model):
    published: Flag | None = control()
    last_updated: Date | None = control()


class Consent(_Model):
    withdrawal_supported: Flag | None = control()
    bundled: Flag | None = control()
    parental_consent_for_minors: Flag | None = control()


class ThirdPartySharing(_Model):
    recipient: str
    purpose: str | None = None
    categories: list[str] | None = None
    legal_basis: LegalBasis | None = None  # PIPL Art. 13; consent when not stated
    separate_consent: Flag | None = control()
    contract: Flag | None = control()


class EntrustedProcessor(_Model):
    name: str
    agreement: Flag | None = control()


class AutomatedDecisionMaking(_Model):
    used: Flag | None = None
    purposes: list[ADMPurpose] | None = None
    opt_out_offered: Flag | None = control()
    explanation_on_request: Flag | None = control()
    price_differs_by_profile: Flag | None = control()


class CrossBorderTransfer(_Model):
    destination: CountryCode
    categories: list[str] | None = None
    individuals_this_year: Count | None = None
    sensitive_individuals_this_year: Count | None = None
    legal_basis: LegalBasis | None = None  # PIPL Art. 13; consent when not stated
    mechanism: TransferMechanism | None = control()
    separate_consent: Flag | None = control()
    standard_contract_filed: Flag | None = control()  # SCC-2023: filed with the provincial CAC
    security_assessment_date: Date | None = control()  # CAC assessment result issued or extended


class ImpactAssessment(_Model):
    done: Flag | None = control()
    date: Date | None = control()
    report_retention_years: Count | None = control()  # PIPL Art. 56: at least 3 years


class UserRights(_Model):
    access: Flag | None = control()
    correction: Flag | None = control()
    deletion: Flag | None = control()
    portability: Flag | None = control()
    account_deletion: Flag | None = control()


class ComplianceAudit(_Model):
    """PIPL Art. 54 and the 2025 audit measures: the last PI compliance audit."""

    last_date: Date | None = control()


class LargePlatformDuties(_Model):
    """PIPL Art. 58 and NDSR Art. 44: duties of a large network platform."""

    external_oversight_body: Flag | None = control()
    social_responsibility_report_date: Date | None = control()


class PersonalInformation(_Model):
    individuals: Count | None = None
    categories: list[PICategory] | None = None
    privacy_policy: PrivacyPolicy | None = None
    consent: Consent | None = None
    third_party_sharing: list[ThirdPartySharing] | None = None
    entrusted_processors: list[EntrustedProcessor] | None = None
    automated_decision_making: AutomatedDecisionMaking | None = None
    cross_border_transfers: list[CrossBorderTransfer] | None = None
    protection_officer: Flag | None = control()
    impact_assessment: ImpactAssessment | None = None
    breach_response_plan: Flag | None = control()
    user_rights: UserRights | None = None
    # PIPL Art. 57, NDSR Art. 11: procedure to notify the authority and the individuals
    breach_notification_procedure: Flag | None = control()
    compliance_audit: ComplianceAudit | None = None
    # NDSR Art. 12: years the records of provision and entrusted processing are kept
    provision_records_retention_years: Count | None = control()
    large_platform: LargePlatformDuties | None = None


class RiskAssessment(_Model):
    last_date: Date | None = control()
    reported: Flag | None = control()


class Encryption(_Model):
    at_rest: Flag | None = control()
    in_transit: Flag | None = control()


class DataSecurity(_Model):
    classification_done: Flag | None = control()
    highest_data_level: Level | None = None
    important_data: Flag | None = None
    risk_assessment: RiskAssessment | None = None
    encryption: Encryption | None = None
    storage_regions: list[CountryCode] | None = None
    mlps_level: Level | None = control()
    incident_response_plan: Flag | None = control()
    security_officer: Flag | None = control()
    foreign_judicial_requests_policy: Flag | None = control()
    mlps_filed: Flag | None = control()  # MLPS level filed with the public security organ
    mlps_last_test_date: Date | None = control()  # last MLPS assessment (等级测评)
    network_log_retention_days: Count | None = control()  # CSL Art. 21(3) / 23(3)
    defect_reporting_procedure: Flag | None = control()  # NDSR Art. 10: inform users, report


class ConcentrationTurnover(_Model):
    global_: Money | None = Field(default=None, alias="global")
    china: Money | None = None


class Concentration(_Model):
    counterparty: str
    closing_date: Date | None = None
    combined_turnover_cny: ConcentrationTurnover | None = None
    each_party_china_turnover_cny: list[Money] | None = None
    filed: Flag | None = control()


class MarketConduct(_Model):
    exclusive_dealing: Flag | None = control()
    tying: Flag | None = control()
    self_preferencing: Flag | None = control()
    below_cost_pricing: Flag | None = control()
    algorithm_review_done: Flag | None = control()
    concentrations: list[Concentration] | None = None
    # monopoly agreements (Anti-Monopoly Law 2022 Arts. 17-19; 2007 Arts. 13-14)
    horizontal_agreement: Flag | None = control()  # pact with competitors (Art. 17)
    resale_price_maintenance: Flag | None = control()  # fixes resale prices or minimum resale prices
    organises_others_agreement: Flag | None = control()  # organises or substantially helps others' agreements


class Sandbox(_Model):
    enrolled: Flag | None = control()
    program: SandboxProgram | None = None
    pilot_city: str | None = None
    applicant_licensed: Flag | None = None
    licensed_partner: str | None = control()
    test_start: Date | None = None
    test_end: Date | None = None
    max_users: Count | None = control()
    risk_compensation: Flag | None = control()
    exit_plan: Flag | None = control()
    user_statement_published: Flag | None = control()
    complaint_channel: Flag | None = control()


class CDD(_Model):
    identity_verification: Flag | None = control()
    beneficial_owner_identification: Flag | None = control()
    enhanced_dd_high_risk: Flag | None = control()
    ongoing_monitoring: Flag | None = control()
    agent_verification: Flag | None = control()  # agents verified (AMLL-2024 Art. 31)
    ubo_discrepancy_reporting: Flag | None = control()  # UBO register discrepancies fed back (Art. 19)
    third_party_reliance: Flag | None = None  # CDD relies on a third party (Art. 32)
    third_party_assessed: Flag | None = control()  # that third party's risk and AML capacity assessed


class SanctionsScreening(_Model):
    enabled: Flag | None = control()
    realtime: Flag | None = control()


class LargeValueThresholds(_Model):
    cash_cny: Money | None = control()
    cash_usd: Money | None = control()
    entity_transfer_cny: Money | None = control()
    entity_transfer_usd: Money | None = control()
    individual_domestic_transfer_cny: Money | None = control()
    individual_domestic_transfer_usd: Money | None = control()
    individual_cross_border_transfer_cny: Money | None = control()
    individual_cross_border_transfer_usd: Money | None = control()


class TransactionMonitoring(_Model):
    enabled: Flag | None = control()
    large_value_reporting: Flag | None = control()
    suspicious_reporting: Flag | None = control()
    thresholds: LargeValueThresholds | None = None


class MLRiskAssessment(_Model):
    done: Flag | None = control()
    date: Date | None = control()


class AML(_Model):
    program_in_place: Flag | None = control()
    institution_risk_assessment: MLRiskAssessment | None = None  # periodic, AMLL-2024 Art. 27
    product_risk_assessment: MLRiskAssessment | None = None  # this product's ML risk assessed (Art. 36)
    records_reconstruct_transactions: Flag | None = control()  # records let each transaction be reconstructed
    cdd: CDD | None = None
    customer_risk_rating: Flag | None = control()
    anonymous_accounts: Flag | None = control()
    sanctions_screening: SanctionsScreening | None = None
    transaction_monitoring: TransactionMonitoring | None = None
    record_retention_years: Count | None = control()
    reporting_deadline_working_days: Count | None = control()


class AlgorithmRecommendation(_Model):
    """Algorithm recommendation provisions (ALGO-REC-2021)."""

    used: Flag | None = None  # recommends, ranks, filters or generates information for users
    public_opinion_or_mobilisation: Flag | None = None  # 具有舆论属性或者社会动员能力
    filed: Flag | None = control()  # algorithm filing (Art. 24)
    last_review_date: Date | None = control()  # review of mechanisms, models, data (Art. 8)


class GenerativeAI(_Model):
    """Generative AI measures (GENAI-2023)."""

    public_service: Flag | None = None  # offered to the public in mainland China (Art. 2)
    public_opinion_or_mobilisation: Flag | None = None
    security_assessment_done: Flag | None = control()  # Art. 17
    filed: Flag | None = control()  # Art. 17: algorithm filing
    content_labelled: Flag | None = control()  # Art. 12


class Algorithms(_Model):
    recommendation: AlgorithmRecommendation | None = None
    generative_ai: GenerativeAI | None = None


class ReserveCustody(StrEnum):
    PBOC = "pboc"
    QUALIFIED_BANK = "qualified_bank"
    OTHER = "other"


class PaymentService(_Model):
    """A payment service's duties under the non-bank payment regulations (NBPI-2023)."""

    reserve_funds_custody: ReserveCustody | None = control()  # where client reserve funds are held (Art. 29)
    interest_on_balances: Flag | None = control()  # pays interest or returns on balances (Art. 24)
    core_business_outsourced: Flag | None = control()  # core business or technology outsourced (Art. 21)
    retains_sensitive_account_data: Flag | None = control()  # beyond what is allowed (Art. 26)
    agreement_change_notice_days: Count | None = control()  # notice before a change (Art. 20)
    domestic_processing_in_china: Flag | None = control()  # domestic transactions (Art. 19)
    systems_in_china: Flag | None = control()  # business systems and backups in China (Art. 18)


class ConsumerDisclosure(_Model):
    """What the consumer is told before buying (Consumer Rights Law Arts. 8, 20, 28)."""

    operator_contact: Flag | None = control()  # business address and contact details (Art. 28)
    fees: Flag | None = control()  # prices and fees, clearly marked (Arts. 20, 28)
    risk_warnings: Flag | None = control()  # safety precautions and risk warnings (Art. 28)
    annualised_rate: Flag | None = control()  # credit: the price shown as an annualised rate


class StandardTerms(_Model):
    """Format clauses (格式条款) of the consumer contract (Consumer Rights Law Art. 26)."""

    used: Flag | None = None  # the contract is on terms the operator drafted in advance
    key_terms_highlighted: Flag | None = control()  # terms of major interest drawn to attention
    explained_on_request: Flag | None = control()
    excludes_operator_liability: Flag | None = control()  # reduce or exempt the operator's liability
    restricts_consumer_rights: Flag | None = control()  # exclude or restrict consumers' rights


class TiedProduct(_Model):
    """Another product or service sold with this one (insurance with a loan, and so on)."""

    name: str
    can_decline: Flag | None = control()  # the consumer may buy this product without it
    selected_by_default: Flag | None = control()  # pre-selected: the consumer must opt out


class ConsumerInformation(_Model):
    """Consumers' personal information as the Consumer Rights Law treats it (Art. 29)."""

    sold: Flag | None = control()  # consumers' personal information sold to others
    commercial_messages: Flag | None = None  # the product sends commercial (marketing) messages
    commercial_messages_consented: Flag | None = control()  # only with consent or on request


class ElectronicPayment(_Model):
    """Electronic payment services for e-commerce (E-Commerce Law Arts. 53-57)."""

    serves_ecommerce: Flag | None = None  # pays for goods or services bought online
    terms_disclosed: Flag | None = control()  # functions, use, precautions, risks, fee standards
    free_statements: Flag | None = control()  # free reconciliation and the last 3 years' records
    unauthorised_losses_on_user: Flag | None = control()  # terms put such losses on the user


class CreditReporting(_Model):
    """Credit information of individuals (Regulations on the Credit Reporting Industry)."""

    queries_credit_reports: Flag | None = None  # queries a credit reporting agency or the PBoC database
    query_written_consent: Flag | None = control()  # the individual's written consent to each query
    provides_credit_information: Flag | None = None  # provides credit data to the database or others
    provision_written_consent: Flag | None = control()  # written consent obtained beforehand
    adverse_information_prior_notice: Flag | None = control()  # told before adverse data is provided
    adverse_information_retention_years: Count | None = control()  # from the end of the event
    objection_handling_days: Count | None = control()  # days from an objection to the written answer


class ConsumerProtection(_Model):
    disclosure: ConsumerDisclosure | None = None
    returns_guaranteed: Flag | None = None  # the contract guarantees principal or returns
    guaranteed_returns_advertised: Flag | None = control()  # promotion promises them
    standard_terms: StandardTerms | None = None
    tied_products: list[TiedProduct] | None = None
    complaint_channel: Flag | None = control()  # a published way to give opinions and complain
    consumer_information: ConsumerInformation | None = None
    electronic_payment: ElectronicPayment | None = None
    credit_reporting: CreditReporting | None = None


class Extensions(_Model):
    """Fields of house packs, one key per pack namespace (``fields`` in a pack's pack.yaml);
    spec/extensions.py builds the keys from the packs loaded."""


class ProductSpec(_Model):
    """A whole product spec file."""

    spec_version: Literal[1]
    product: Product
    operator: Operator | None = None
    users: Users | None = None
    personal_information: PersonalInformation | None = None
    data_security: DataSecurity | None = None
    market_conduct: MarketConduct | None = None
    sandbox: Sandbox | None = None
    aml: AML | None = None
    payment: PaymentService | None = None
    algorithms: Algorithms | None = None
    consumer_protection: ConsumerProtection | None = None
    extensions: Extensions | None = None
