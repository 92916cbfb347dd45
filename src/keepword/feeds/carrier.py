"""What a phone carrier is told: the SMS warning with its deadline, then the ringback announcement.

Practice (RULES.md §3): the debtor first gets an SMS warning with a deadline; if they do not perform,
callers to every number registered to the debtor's ID hear the court's announcement, until the court
confirms payment. The announcement text comes from the court's template (``Court.announcement``).
"""

from __future__ import annotations

import shutil
import subprocess
from datetime import date
from pathlib import Path

from keepword.domain.courts import Court

SMS_TEMPLATE = ("【{court}】{name}：您未履行生效法律文书确定的义务。请于{deadline}前履行，"
                "逾期本院将通知运营商为您登记的全部号码启用失信被执行人提示彩铃。")


def sms_warning_text(court: Court | None, debtor_name: str, deadline: date | None) -> str:
    """The warning SMS sent before the ringback starts, naming its deadline."""
    court_name = court.name if court else "人民法院"
    when = f"{deadline.year}年{deadline.month}月{deadline.day}日" if deadline else "收到本短信后三日内"
    return SMS_TEMPLATE.format(court=court_name, name=debtor_name, deadline=when)


def announcement_text(court: Court | None, debtor_name: str) -> str:
    """The ringback announcement callers hear, from the court's template."""
    if court is None:
        return Court(id="-", name="人民法院", province="-", level="basic").announcement(debtor_name)
    return court.announcement(debtor_name)


def espeak_available() -> bool:
    return shutil.which("espeak-ng") is not None


def render_announcement_audio(text: str, target: Path, *, voice: str = "cmn") -> Path | None:
    """Render ``text`` to a WAV file with espeak-ng; None (nothing written) when espeak-ng is not installed."""
    binary = shutil.which("espeak-ng")
    if binary is None:
        return None
    target.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([binary, "-v", voice, "-s", "150", "-w", str(target), text], check=True,
                   capture_output=True, timeout=60)
    return target
