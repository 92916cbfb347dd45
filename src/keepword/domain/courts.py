"""Courts form a hierarchy: Supreme, High, Intermediate, Basic."""

from __future__ import annotations

from dataclasses import dataclass

from keepword.domain.errors import ValidationFailed

LEVELS = ("supreme", "high", "intermediate", "basic")


@dataclass
class Court:
    id: str
    name: str
    province: str
    level: str
    parent_id: str | None = None
    timezone: str = "Asia/Shanghai"
    ringback_template: str | None = None

    def __post_init__(self) -> None:
        if self.level not in LEVELS:
            raise ValidationFailed("level", f"must be one of {', '.join(LEVELS)}")
        if not self.id or not self.name:
            raise ValidationFailed("court", "id and name are required")

    def announcement(self, debtor_name: str) -> str:
        """The ringback message callers hear, from this court's template."""
        template = self.ringback_template or (
            "您拨打的用户{name}已被{court}列入失信被执行人名单，请督促其尽快履行法律义务。")
        return template.format(name=debtor_name, court=self.name)
