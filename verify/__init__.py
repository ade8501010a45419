"""Verification layer of deeplimits: the command line, reports and (later) claims and statistics."""
