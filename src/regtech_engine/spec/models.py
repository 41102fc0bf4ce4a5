"""Pydantic models of the product spec, format version 1 (``contracts/product-spec``).

Field names, nesting and enum values are the contract: do not rename. Every section except
``spec_version`` and ``product`` is optional; an absent section means the product does not do
that. Optional fields default to ``None`` so that "not written" stays distinguishable from
"written as false" (rules report the former as insufficient evidence).
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints


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
Count = Annotated[int, Field(ge=0)]
Money = Annotated[int, Field(ge=0)]
Share = Annotated[float, Field(ge=0, le=1)]


class Product(_Model):
    id: ProductId
    name: str
    category: Category
    description: str | None = None
    launch_date: dt.date | None = None
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
    is_ciio: bool | None = None
    turnover_cny: Turnover | None = None
    market_share: list[MarketShare] | None = None


class Users(_Model):
    expected_users: Count | None = None
    includes_minors_under_14: bool | None = None


class PICategory(_Model):
    name: str
    type: PIType | None = None
    sensitive: bool | None = None
    financial_class: FinancialClass | None = None
    purpose: str | None = None
    legal_basis: LegalBasis | None = None
    separate_consent: bool | None = None
    retention_days: Count | None = None
    necessary: bool | None = None


class PrivacyPolicy(_Model):
    published: bool | None = None
    last_updated: dt.date | None = None


class Consent(_Model):
    withdrawal_supported: bool | None = None
    bundled: bool | None = None
    parental_consent_for_minors: bool | None = None


class ThirdPartySharing(_Model):
    recipient: str
    purpose: str | None = None
    categories: list[str] | None = None
    separate_consent: bool | None = None
    contract: bool | None = None


class EntrustedProcessor(_Model):
    name: str
    agreement: bool | None = None


class AutomatedDecisionMaking(_Model):
    used: bool | None = None
    purposes: list[ADMPurpose] | None = None
    opt_out_offered: bool | None = None
    explanation_on_request: bool | None = None
    price_differs_by_profile: bool | None = None


class CrossBorderTransfer(_Model):
    destination: CountryCode
    categories: list[str] | None = None
    individuals_this_year: Count | None = None
    sensitive_individuals_this_year: Count | None = None
    mechanism: TransferMechanism | None = None
    separate_consent: bool | None = None


class ImpactAssessment(_Model):
    done: bool | None = None
    date: dt.date | None = None


class UserRights(_Model):
    access: bool | None = None
    correction: bool | None = None
    deletion: bool | None = None
    portability: bool | None = None
    account_deletion: bool | None = None


class PersonalInformation(_Model):
    individuals: Count | None = None
    categories: list[PICategory] | None = None
    privacy_policy: PrivacyPolicy | None = None
    consent: Consent | None = None
    third_party_sharing: list[ThirdPartySharing] | None = None
    entrusted_processors: list[EntrustedProcessor] | None = None
    automated_decision_making: AutomatedDecisionMaking | None = None
    cross_border_transfers: list[CrossBorderTransfer] | None = None
    protection_officer: bool | None = None
    impact_assessment: ImpactAssessment | None = None
    breach_response_plan: bool | None = None
    user_rights: UserRights | None = None


class RiskAssessment(_Model):
    last_date: dt.date | None = None
    reported: bool | None = None


class Encryption(_Model):
    at_rest: bool | None = None
    in_transit: bool | None = None


class DataSecurity(_Model):
    classification_done: bool | None = None
    highest_data_level: Annotated[int, Field(ge=1, le=5)] | None = None
    important_data: bool | None = None
    risk_assessment: RiskAssessment | None = None
    encryption: Encryption | None = None
    storage_regions: list[CountryCode] | None = None
    mlps_level: Annotated[int, Field(ge=1, le=5)] | None = None
    incident_response_plan: bool | None = None
    security_officer: bool | None = None
    foreign_judicial_requests_policy: bool | None = None


class ConcentrationTurnover(_Model):
    global_: Money | None = Field(default=None, alias="global")
    china: Money | None = None


class Concentration(_Model):
    counterparty: str
    closing_date: dt.date | None = None
    combined_turnover_cny: ConcentrationTurnover | None = None
    each_party_china_turnover_cny: list[Money] | None = None
    filed: bool | None = None


class MarketConduct(_Model):
    exclusive_dealing: bool | None = None
    tying: bool | None = None
    self_preferencing: bool | None = None
    below_cost_pricing: bool | None = None
    algorithm_review_done: bool | None = None
    concentrations: list[Concentration] | None = None


class Sandbox(_Model):
    enrolled: bool | None = None
    program: SandboxProgram | None = None
    pilot_city: str | None = None
    applicant_licensed: bool | None = None
    licensed_partner: str | None = None
    test_start: dt.date | None = None
    test_end: dt.date | None = None
    max_users: Count | None = None
    risk_compensation: bool | None = None
    exit_plan: bool | None = None
    user_statement_published: bool | None = None
    complaint_channel: bool | None = None


class CDD(_Model):
    identity_verification: bool | None = None
    beneficial_owner_identification: bool | None = None
    enhanced_dd_high_risk: bool | None = None
    ongoing_monitoring: bool | None = None


class SanctionsScreening(_Model):
    enabled: bool | None = None
    realtime: bool | None = None


class LargeValueThresholds(_Model):
    cash_cny: Money | None = None
    cash_usd: Money | None = None
    entity_transfer_cny: Money | None = None
    entity_transfer_usd: Money | None = None
    individual_domestic_transfer_cny: Money | None = None
    individual_domestic_transfer_usd: Money | None = None
    individual_cross_border_transfer_cny: Money | None = None
    individual_cross_border_transfer_usd: Money | None = None


class TransactionMonitoring(_Model):
    enabled: bool | None = None
    large_value_reporting: bool | None = None
    suspicious_reporting: bool | None = None
    thresholds: LargeValueThresholds | None = None


class AML(_Model):
    program_in_place: bool | None = None
    cdd: CDD | None = None
    customer_risk_rating: bool | None = None
    anonymous_accounts: bool | None = None
    sanctions_screening: SanctionsScreening | None = None
    transaction_monitoring: TransactionMonitoring | None = None
    record_retention_years: Count | None = None
    reporting_deadline_working_days: Count | None = None


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
