"""The question-type registry: adding a type is one module and one line here."""
from .base import GradeResult, QuestionType, normalize_text, option_id
from .choice import MultipleResponse, SingleChoice
from .matching import Matching
from .numeric import Numeric
from .short import ShortText
from .truefalse import TrueFalse

QUESTION_TYPES: dict[str, QuestionType] = {
    t.key: t for t in (SingleChoice(), MultipleResponse(), TrueFalse(), Matching(), Numeric(), ShortText())
}

__all__ = ["QUESTION_TYPES", "GradeResult", "QuestionType", "normalize_text", "option_id"]
