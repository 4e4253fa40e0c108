"""The training course (``course/``): lessons, exercises with automatic checks, the build.

In a course notebook::

    import perfkit.course as pc
    c = pc.Lesson("m04", lang=lang, round=round, datasets=datasets)
    c.header()
    ck = c.checker(answers=answers, record=record)
    ck.check("base_score", answer)

* :class:`Lesson` — the notebook's module, language, round and data sets, and how it shows
  tables and charts (:mod:`perfkit.course.lesson`);
* :class:`Checker` — hints on wrong answers from hashed keys (:mod:`perfkit.course.check`);
* :class:`Explorer` — sliders over a scheme's points or weights on the batched engine
  (:mod:`perfkit.course.explorer`);
* :func:`build_course` — ``perfkit course build`` (:mod:`perfkit.course.build`);
* :class:`Anonymiser` — unit names replaced by codes (:mod:`perfkit.course.anonymise`).
"""
from perfkit.course.anonymise import Anonymiser
from perfkit.course.build import CourseBuild, build_course, record_keys
from perfkit.course.check import Checker, CheckResult, checker
from perfkit.course.explorer import Explorer
from perfkit.course.lesson import Lesson, resolve_lang
from perfkit.course.meta import Course, CourseError, load_course
from perfkit.course.outline import outline, rule_sentence

__all__ = ["Lesson", "resolve_lang", "Explorer", "outline", "rule_sentence", "Checker", "CheckResult", "checker", "build_course", "record_keys", "CourseBuild",
           "Anonymiser", "Course", "CourseError", "load_course"]
