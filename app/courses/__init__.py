"""Courses: the content loader, rendering, versions, classes, progress and authoring."""
