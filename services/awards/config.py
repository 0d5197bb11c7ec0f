"""Settings of the awards service: where its three policy files are, and how many nominated
projects an EQL closing awards per transaction."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from shared.settings import ServiceSettings

DEFAULT_NQL_POLICY = Path(__file__).resolve().parent / "nql_policy.toml"
DEFAULT_SCHOOL_LABEL_POLICY = Path(__file__).resolve().parent / "school_label_policy.toml"
DEFAULT_EQL_POLICY = Path(__file__).resolve().parent / "eql_policy.toml"


class AwardsSettings(ServiceSettings):
    service_name: str = "awards"
    http_port: int = 8003
    nql_policy_path: Path = Field(
        default=DEFAULT_NQL_POLICY,
        description="TOML or JSON file of the NQL rubric and per-country calendars "
        "(R-NQL-3, R-NQL-5, R-NQL-6); env NQL_POLICY_PATH.",
    )
    school_label_policy_path: Path = Field(
        default=DEFAULT_SCHOOL_LABEL_POLICY,
        description="TOML or JSON file of the School Label rounds, cut-off dates and thresholds "
        "(R-SCH-1, R-SCH-2); env SCHOOL_LABEL_POLICY_PATH.",
    )
    eql_policy_path: Path = Field(
        default=DEFAULT_EQL_POLICY,
        description="TOML or JSON file of the EQL round (period, quota, threshold, recipients) "
        "and the European Prizes (age categories) (R-EQL-*, R-PRZ-*); env EQL_POLICY_PATH.",
    )
    eql_close_batch_projects: int = Field(
        default=100,
        ge=1,
        le=2000,
        description="Nominated projects awarded per transaction when an EQL round closes "
        "(each recipient writes a label, a certificate and two outbox events).",
    )
