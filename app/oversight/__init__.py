"""Oversight: compliance dashboards, agency and officer pages, transcripts, exports."""
