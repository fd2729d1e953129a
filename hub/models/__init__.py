"""The ORM models, one module per domain; importing this package registers them all."""

from hub.models.aggregates import AggregateCell, Completeness
from hub.models.auth import ApiClient, SigningKey, User
from hub.models.base import Base, utcnow
from hub.models.members import MemberCategoryCount, MemberList, Membership, Organisation
from hub.models.operations import (
    AuditEvent,
    ConnectorConfig,
    JobRun,
    PullArchive,
    SchedulerLease,
)
from hub.models.registry import Cluster, Indicator
from hub.models.submissions import DirtyPeriod, Observation, Submission

__all__ = [
    "AggregateCell",
    "ApiClient",
    "AuditEvent",
    "Base",
    "Cluster",
    "Completeness",
    "ConnectorConfig",
    "DirtyPeriod",
    "Indicator",
    "JobRun",
    "MemberCategoryCount",
    "MemberList",
    "Membership",
    "Observation",
    "Organisation",
    "PullArchive",
    "SchedulerLease",
    "SigningKey",
    "Submission",
    "User",
    "utcnow",
]
