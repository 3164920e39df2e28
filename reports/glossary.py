"""Technical terms, each explained in plain English the first time a pack uses it."""

from __future__ import annotations

from dataclasses import dataclass, field

from metrics.words import VARIATION

TERMS: dict[str, tuple[str, str]] = {
    "rag": (
        "Status (RAG)",
        "Status compares the latest figure with its target: on target (green), within "
        "tolerance (amber) or off target (red). This is often called a RAG rating. In this "
        "pack every status is also written in words and marked with a symbol.",
    ),
    "tolerance": (
        "Tolerance",
        "Tolerance is how far a figure may miss its target and still count as within "
        "tolerance (amber) rather than off target (red).",
    ),
    "direction": (
        "Direction of travel",
        "Direction of travel compares the latest figure with the period before it and with "
        "the same period a year earlier, and says whether it got better or worse.",
    ),
    "spc": (
        "SPC",
        "SPC (statistical process control) is a way of telling a real change from the usual "
        "ups and downs. It follows the NHS 'Making Data Count' rules.",
    ),
    "special_cause": (
        "Special cause",
        "A special cause is a change too large or too long-lasting to be chance: something "
        "real has changed, for better (improvement) or worse (concern).",
    ),
    "common_cause": (
        VARIATION["common_cause"][0],
        "Common cause means the figures are moving within their usual range, with no sign of "
        "real change.",
    ),
    "process_limits": (
        "Process limits",
        "The process limits show the range the figures normally fall in. A value outside "
        "them, or a long run on one side of the average, signals a special cause.",
    ),
    "assurance": (
        "Assurance",
        "Assurance says whether, if the service carries on as it is, the target will be met "
        "every time (consistently passing), missed every time (consistently failing) or "
        "sometimes met (hit and miss).",
    ),
    "flag": (
        "Flag",
        "A flag is a problem PMF has found, such as a measure off target for two periods in "
        "a row; one flag lists every reason that holds for its measure or milestone. A named "
        "officer owns each flag and records any action planned to deal with it.",
    ),
    "slipping": (
        "Slipping milestone",
        "A milestone is slipping when it is forecast to finish well after its planned "
        "(baseline) date, or when that date has passed and it is not complete.",
    ),
}


@dataclass
class Glossary:
    """Hands out each term's explanation once, so a pack explains a term where it first
    appears. One Glossary is used for one pack, in reading order."""

    seen: set[str] = field(default_factory=set)

    def explain(self, *terms: str) -> str:
        """The explanations of those terms not yet explained, as one string ('' if none)."""
        fresh = [t for t in terms if t not in self.seen]
        self.seen.update(fresh)
        return " ".join(TERMS[t][1] for t in fresh)


def glossary_rows() -> list[tuple[str, str]]:
    """Every term and its explanation, for the pack's appendix and the XLSX."""
    return [TERMS[key] for key in TERMS]
