"""tamdesk: the desktop workbench of a technical account manager."""

__version__ = "0.1.0"
