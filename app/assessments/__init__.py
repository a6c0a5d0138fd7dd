"""Assessments: question types, banks, exams, attempts, grading and item analysis."""
