"""Date and number formats for languages Django ships none for (``FORMAT_MODULE_PATH``).

Django has no formats module for Tatar, so ``tt`` pages fell back to the US defaults ("Nov. 23,
2026", "12/06/2026 12:01 p.m.", a decimal point beside the comma of Russian text). Tatarstan
writes dates, times and numbers the Russian way; ``tt/formats.py`` says so. Russian and English
keep Django's own modules (a package for them here would replace those, not extend them).
"""
