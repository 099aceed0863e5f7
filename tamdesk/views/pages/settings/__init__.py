"""Settings: the domain rules a TAM can change, each in its own section, all stored in the database.

Every section is a small form over one service: it loads from the database, enables Save only when something
changed, shows a refused value next to its field, and reloads with a clear message when someone else saved first.
Secrets are the exception: the SMTP password goes only to the keyring, through the app session's ``SecretStore``
(or the one handed in), taken when the page first needs it.

One module per section (``section`` holds the frame they share, ``helpers`` their small helpers); ``page``
assembles them into the ``SettingsPage``.
"""

from tamdesk.views.pages.settings.cadence import CadenceSection
from tamdesk.views.pages.settings.connections import ConnectionsSection
from tamdesk.views.pages.settings.escalations import EscalationSection
from tamdesk.views.pages.settings.health import HealthSection
from tamdesk.views.pages.settings.hours import HoursSection, country_names
from tamdesk.views.pages.settings.page import SECTIONS, SettingsPage
from tamdesk.views.pages.settings.people import PeopleSection
from tamdesk.views.pages.settings.seat_rules import SeatRulesSection
from tamdesk.views.pages.settings.section import Section
from tamdesk.views.pages.settings.sla_policies import DurationEdit, NameDialog, SlaSection, target_text
from tamdesk.views.pages.settings.smtp import EmailSection, SecretsSection
from tamdesk.views.pages.settings.template import TemplateSection
from tamdesk.views.pages.settings.you import YouSection

__all__ = [
    "SECTIONS",
    "CadenceSection",
    "ConnectionsSection",
    "DurationEdit",
    "EmailSection",
    "EscalationSection",
    "HealthSection",
    "HoursSection",
    "NameDialog",
    "PeopleSection",
    "SeatRulesSection",
    "SecretsSection",
    "Section",
    "SettingsPage",
    "SlaSection",
    "TemplateSection",
    "YouSection",
    "country_names",
    "target_text",
]
