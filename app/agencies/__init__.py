"""Law enforcement agencies and their 287(g) agreements (MOAs)."""
