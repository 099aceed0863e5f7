"""What the sample data says and how often: names, places, subjects and notes, and the rates and weights that
shape the histories."""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass
from typing import Any

from tamdesk.domain.states import ClockKind, DefectState, EscalationState
from tamdesk.services.demo_time import BUSINESS_DAY, HOUR

SPAN_DAYS = 548  # 18 months
CLOSED_AFTER_DAYS = 10  # a solved ticket closes itself this long after its last solve
TICKET_CHUNK = 1_000
FIRST_TICKET_NUMBER = 100_001
ESCALATION_RATE = 0.015
DEFECT_RATE = 0.01
PREMIUM_SHARE = 0.15
ENG_URL = "https://eng.example.com/browse/"
STAFF_DOMAIN = "example.com"


def _words(text: str) -> tuple[str, ...]:
    return tuple(w.strip() for w in text.split(",") if w.strip())


@dataclass(frozen=True)
class Country:
    code: str
    zones: tuple[str, ...]
    tld: str
    legal_forms: tuple[str, ...]
    brands: tuple[str, ...]
    first_names: tuple[str, ...]
    last_names: tuple[str, ...]
    phone_prefix: str
    weight: int


# fmt: off
COUNTRIES: tuple[Country, ...] = (
    Country("US", ("America/New_York", "America/New_York", "America/Chicago", "America/Los_Angeles"), "com",
             _words("Inc., LLC, Corp."),
             _words("Liberty, Pioneer, Frontier, Lakeshore, Ironbridge, Bluewater, Redwood, Keystone, Prairie"),
             _words("James, Mary, Robert, Patricia, Michael, Jennifer, David, Linda, Daniel, Sarah, Kevin, Emily, "
                    "Brian, Jessica, Marcus, Ashley"),
             _words("Smith, Johnson, Williams, Brown, Jones, Garcia, Miller, Davis, Rodriguez, Martinez, Wilson, "
                    "Anderson, Taylor, Thomas, Moore, Jackson"),
             "+1", 30),
    Country("DE", ("Europe/Berlin",), "de", _words("GmbH, AG, SE"),
             _words("Nordstern, Rheintal, Alpenblick, Elbufer, Hansekontor, Schwarzwald, Isartal, Spreewerk, "
                    "Weserland"),
             _words("Lukas, Anna, Jonas, Laura, Felix, Julia, Maximilian, Lea, Tobias, Katharina, Stefan, Sabine, "
                    "Matthias, Jana"),
             _words("Müller, Schmidt, Schneider, Fischer, Weber, Meyer, Wagner, Becker, Schulz, Hoffmann, Koch, "
                    "Richter, Wolf, Neumann"),
             "+49", 14),
    Country("GB", ("Europe/London",), "co.uk", _words("Ltd, plc"),
             _words("Thameside, Pennine, Albion, Kingsbridge, Highgate, Cotswold, Ravensworth, Bramley, Caledonian"),
             _words("Oliver, Amelia, Harry, Isla, George, Olivia, Jack, Emily, Charlie, Sophie, Thomas, Grace"),
             _words("Smith, Jones, Taylor, Brown, Wilson, Evans, Thomas, Roberts, Walker, Wright, Hughes, Edwards"),
             "+44", 12),
    Country("FR", ("Europe/Paris",), "fr", _words("SA, SAS"),
             _words("Lumière, Rivegauche, Montclair, Garonne, Azur, Vendôme, Mistral, Beaulieu"),
             _words("Camille, Louis, Chloé, Hugo, Léa, Théo, Manon, Nathan, Inès, Julien, Élodie, Mathieu"),
             _words("Martin, Bernard, Dubois, Thomas, Robert, Richard, Petit, Durand, Leroy, Moreau, Lefèvre, Girard"),
             "+33", 8),
    Country("JP", ("Asia/Tokyo",), "co.jp", _words("K.K., Co. Ltd."),
             _words("Sakura, Hikari, Midori, Tsubasa, Kumo, Minato, Aozora, Hoshino, Umikaze"),
             _words("Haruto, Yui, Sota, Hina, Ren, Aoi, Yuto, Sakura, Kenji, Yuki, Takumi, Mei"),
             _words("Sato, Suzuki, Takahashi, Tanaka, Watanabe, Ito, Yamamoto, Nakamura, Kobayashi, Kato, Yoshida, "
                    "Yamada"),
             "+81", 8),
    Country("AU", ("Australia/Sydney",), "com.au", _words("Pty Ltd"),
             _words("Southern Cross, Coral Coast, Eucalypt, Harbourview, Wattle, Banksia, Kookaburra, Outback"),
             _words("Jack, Charlotte, William, Mia, Noah, Ava, Lachlan, Chloe, Liam, Zoe, Riley, Matilda"),
             _words("Smith, Jones, Williams, Brown, Wilson, Taylor, Nguyen, Johnson, Martin, White, Anderson, Walker"),
             "+61", 6),
    Country("BR", ("America/Sao_Paulo",), "com.br", _words("Ltda., S.A."),
             _words("Ipê, Guanabara, Cerrado, Araucária, Pantanal, Jacarandá, Itapuã, Mantiqueira"),
             _words("Gabriel, Ana, Lucas, Beatriz, Mateus, Júlia, Rafael, Larissa, Felipe, Camila, Thiago, Fernanda"),
             _words("Silva, Santos, Oliveira, Souza, Rodrigues, Ferreira, Alves, Pereira, Lima, Gomes, Costa, Ribeiro"),
             "+55", 6),
    Country("IN", ("Asia/Kolkata",), "co.in", _words("Pvt. Ltd., Ltd."),
             _words("Ganga, Indus, Deccan, Kaveri, Sahyadri, Vindhya, Narmada, Konark"),
             _words("Aarav, Priya, Vivaan, Ananya, Arjun, Diya, Rohan, Kavya, Rahul, Neha, Vikram, Pooja"),
             _words("Sharma, Patel, Singh, Kumar, Gupta, Reddy, Iyer, Nair, Mehta, Joshi, Rao, Das"),
             "+91", 8),
    Country("NL", ("Europe/Amsterdam",), "nl", _words("B.V., N.V."),
             _words("Oranjewoud, Zuiderzee, Delfland, Windmolen, Polderland, Waddenzee"),
             _words("Daan, Emma, Sem, Julia, Lucas, Tess, Milan, Sophie, Bram, Anouk"),
             _words("de Jong, Jansen, de Vries, van den Berg, Bakker, Visser, Smit, Meijer, de Boer, Mulder"),
             "+31", 6),
)
GLOBAL_BRANDS = _words(
    "Apex, Aurora, Beacon, Brightline, Cascade, Cobalt, Crescent, Evergreen, Falcon, Granite, Harbor, Horizon, "
    "Ironwood, Juniper, Lumen, Meridian, Nimbus, Orion, Polaris, Quartz, Silverline, Stratus, Tidewater, Vantage, "
    "Vertex, Willow, Zenith, Atlas, Helix, Sterling, Cedar, Kestrel, Onyx, Sapphire, Trident"
)
SECTORS = _words(
    "Analytics, Logistics, Bank, Insurance, Retail, Health, Energy, Telecom, Media, Foods, Motors, Pharma, "
    "Airlines, Capital, Systems, Labs, Networks, Robotics, Biotech, Payments, Mobility, Shipping, Steel, "
    "Semiconductors, Hospitality, Gaming, Utilities, Chemicals, Aerospace, Insights"
)
QUALIFIERS = _words("Global, Digital, Nordic, Pacific, Atlantic, International, Continental, United")
STAFF_FIRST = _words(
    "Alex, Sam, Jordan, Taylor, Morgan, Casey, Robin, Jamie, Avery, Riley, Quinn, Dana, Elena, Marco, Ingrid, "
    "Tomás, Aisha, Kofi, Mei, Hiro, Priya, Lars, Sofia, Omar, Nadia, Pablo, Chen, Freya, Mateo, Zara"
)
STAFF_LAST = _words(
    "Novak, Lindqvist, Okafor, Haddad, Moreau, Kowalski, Fernandes, Nakamura, Castillo, Brennan, Petrov, "
    "Andersen, Rossi, Mendes, Khan, Schultz, Duarte, Ivanova, Whitfield, Laine, Baptiste, Kaur, Varga, Ortega"
)
JOB_TITLES = _words(
    "Data Platform Lead, Senior Data Engineer, Database Administrator, Analytics Engineer, Platform Engineer, "
    "Site Reliability Engineer, Head of Data, IT Operations Manager, Solutions Architect, BI Developer"
)
CUSTOMER_NOTES = (
    "", "", "", "", "Renewal due next quarter.", "Prefers updates by email, not phone.",
    "Strategic account: quarterly business reviews with the CIO.", "Runs two clusters: production and staging.",
)
AREAS = _words(
    "query engine, Hive connector, Iceberg connector, Delta Lake connector, Kafka connector, PostgreSQL connector, "
    "Oracle connector, Kubernetes deployment, Helm chart, LDAP authentication, OAuth 2.0 authentication, "
    "Kerberos authentication, result caching, materialized views, coordinator, workers, fault-tolerant execution, "
    "access control, TLS configuration, JDBC driver, ODBC driver, web UI, resource groups, spill to disk"
)
ERRORS = _words(
    "EXCEEDED_LOCAL_MEMORY_LIMIT, GENERIC_INTERNAL_ERROR, HIVE_METASTORE_ERROR, PAGE_TRANSPORT_TIMEOUT, "
    "REMOTE_TASK_ERROR, java.lang.OutOfMemoryError, CrashLoopBackOff, 401 Unauthorized, SSLHandshakeException, "
    "Too many open files"
)
FEATURES = _words(
    "row filters, column masking, partition pruning, time travel, predicate pushdown, dynamic catalogs, "
    "single sign-on, high availability, query retries, autoscaling"
)
SUBJECTS: dict[int, tuple[str, ...]] = {
    1: ("Production outage: {area} failing with {error}", "All production queries failing after upgrade to {version}",
        "Coordinator crash loop in production ({error})", "Production cluster down: {area} not responding",
        "Critical: {area} rejecting all requests in production"),
    2: ("{area}: intermittent {error} under load", "{area}: severe slowdown since upgrade to {version}",
        "Workers restarting repeatedly in production with {error}", "{area}: queries time out on large tables",
        "Degraded throughput on the production cluster ({area})"),
    3: ("{area}: {error} in staging", "{area}: unexpected results for queries with {feature}",
        "{area}: slow planning for queries with many joins", "{area}: memory usage higher than expected",
        "{area}: failures in development after upgrade to {version}"),
    4: ("{area}: how to configure {feature}?", "Documentation request: {area} and {feature}",
        "Request for information: {area} support in {version}", "{area}: sizing recommendations for production",
        "{area}: certificate rotation without downtime?"),
}
DEFECT_SYMPTOMS = _words(
    "NullPointerException when {action}, incorrect results when {action}, memory leak after {action}, "
    "query hangs when {action}, {error} when {action}, deadlock when {action}"
)
DEFECT_ACTIONS = _words(
    "reading empty files, pushing down predicates on timestamp columns, refreshing the metadata cache, "
    "spilling large joins, rotating credentials, scaling workers down, reading tables with many partitions, "
    "querying views with row filters, writing to sorted tables, the session times out"
)
NOTES = {
    "first": ("Acknowledged; reviewing the logs you attached.", "Thanks for the report. Could you share the query ID?",
              "Investigating; reproducing on a matching version.", "Looking into it now; first findings shortly."),
    "first_sev1": ("Engaged the 24/7 on-call team; joining your bridge call.", "On-call engineer engaged; on it now."),
    "update": ("Update: reproduced the issue in our lab.", "Update: engineering is reviewing the stack trace.",
               "Suggested workaround: disable the affected session property.",
               "Update: still investigating; next update on the agreed cadence.",
               "Shared a configuration change to test.", "Analysis of the heap dump is in progress."),
    "wait": ("Asked for the full server log and the query plan.", "Asked the customer to test the workaround.",
             "Waiting for the customer's maintenance window.", "Asked for the diagnostics bundle."),
    "reply": ("Customer attached the requested logs.", "Customer confirmed the workaround helps partially.",
              "Customer sent the configuration files.", "Customer applied the change; the issue persists."),
    "solved": ("Solved: configuration corrected.", "Solved: workaround accepted by the customer.",
               "Solved: fixed by upgrading to the latest patch release.",
               "Solved: question answered; documentation linked.",
               "Solved: root cause was a misconfigured load balancer."),
    "reopened": ("Customer reopened: the issue came back after a restart.",
                 "Customer reopened: the workaround is not enough at peak load."),
}
ESCALATION_REASONS = (
    "Production impact continues beyond the SLA; no workaround in sight.",
    "Repeated regressions after each upgrade; the customer's go-live is at risk.",
    "Slow progress on the ticket; the customer asks for a dedicated engineer.",
    "Business-critical month-end reporting blocked.",
    "The customer's executive sponsor asked for management attention.",
)
BUSINESS_IMPACTS = (
    "Month-end close delayed for finance.", "Customer-facing dashboards unavailable for 2,000 users.",
    "Nightly ETL misses its window; downstream reports are late.", "Go-live of the new data platform postponed.",
    "A regulatory report is due this week.",
)
DESIRED_OUTCOMES = (
    "Root cause and a fix date within 48 hours.", "A dedicated engineer and daily status calls.",
    "A hotfix build for the current version.", "A workaround today and a permanent fix in the next release.",
)
DECLINE_REASONS = (
    "Handled within the normal SLA; the ticket is progressing as expected.",
    "Not a product issue: the customer's network configuration was at fault.",
    "Duplicate of an open escalation for the same incident.",
)
ESCALATION_NOTES = (
    "Call with the customer held; next update tomorrow at 10:00 their time.",
    "Engineering lead joined the bridge; collecting heap dumps.",
    "Customer confirmed the workaround is holding overnight.",
    "Shared the action plan in writing with the customer's sponsor.",
)
VP_NOTES = (
    "Apprised by the senior director; advised a daily executive summary to the customer.",
    "VP asked for a post-incident review with the customer.",
)
REVOKE_REASONS = (
    "Left the company.", "Changed roles; no longer works with the product.",
    "Replaced by a colleague on the platform team.", "Parental leave; access handed over to a colleague.",
)
# fmt: on

SEVERITY_WEIGHTS = (5, 20, 45, 30)
LATE_FIRST_RESPONSE = {1: 0.05, 2: 0.1, 3: 0.1, 4: 0.08}
MISSED_UPDATE = 0.07
WAIT_ON_CUSTOMER = 0.3
REOPEN = 0.05
MEDIAN_WORK = {1: 6 * HOUR, 2: 1.5 * BUSINESS_DAY, 3: 4 * BUSINESS_DAY, 4: 3 * BUSINESS_DAY}
ESCALATION_SEVERITY_WEIGHT = {1: 10.0, 2: 3.0, 3: 0.8, 4: 0.1}
DEFECT_SEVERITY_WEIGHT = {1: 4.0, 2: 3.0, 3: 1.0, 4: 0.1}
ESCALATION_WEIGHTS = {
    EscalationState.REQUESTED: 6,
    EscalationState.ACKNOWLEDGED: 7,
    EscalationState.ACTION_PLAN: 10,
    EscalationState.MONITORING: 10,
    EscalationState.RESOLVED: 57,
    EscalationState.DECLINED: 10,
}
ESCALATION_HOURS = {
    EscalationState.ACKNOWLEDGED: (0.5, 4),
    EscalationState.ACTION_PLAN: (3, 30),
    EscalationState.MONITORING: (12, 96),
    EscalationState.RESOLVED: (24, 240),
    EscalationState.DECLINED: (2, 48),
}
DEFECT_WEIGHTS = {
    DefectState.REPORTED: 5,
    DefectState.VALIDATED: 7,
    DefectState.ESCALATED: 9,
    DefectState.PRIORITIZED: 22,
    DefectState.FIX_IN_PROGRESS: 14,
    DefectState.FIX_DEPLOYED: 13,
    DefectState.CLOSED: 30,
}
DEFECT_HOURS = {
    DefectState.VALIDATED: (4, 120),
    DefectState.ESCALATED: (1, 48),
    DefectState.PRIORITIZED: (24, 168),
    DefectState.FIX_IN_PROGRESS: (72, 960),
    DefectState.FIX_DEPLOYED: (120, 1080),
    DefectState.CLOSED: (72, 504),
}
DEFAULT_DEFECT_CADENCE = {1: 1, 2: 5, 3: 10, 4: 20}
PREMIUM_TARGETS: dict[str, dict[str, Any]] = {
    "1": {"first_response_min": 30, "update_cadence_min": 60, "clock": ClockKind.TWENTY_FOUR_SEVEN.value},
    "2": {"first_response_min": 60, "update_cadence_min": 270, "clock": ClockKind.BUSINESS_HOURS.value},
    "3": {"first_response_min": 240, "update_cadence_min": 540, "clock": ClockKind.BUSINESS_HOURS.value},
    "4": {"first_response_min": 540, "update_cadence_min": 1620, "clock": ClockKind.BUSINESS_HOURS.value},
}
FALLBACK_TARGETS: dict[str, dict[str, Any]] = {
    "1": {"first_response_min": 60, "update_cadence_min": 120, "clock": ClockKind.TWENTY_FOUR_SEVEN.value},
    "2": {"first_response_min": 120, "update_cadence_min": 540, "clock": ClockKind.BUSINESS_HOURS.value},
    "3": {"first_response_min": 540, "update_cadence_min": 1620, "clock": ClockKind.BUSINESS_HOURS.value},
    "4": {"first_response_min": 1080, "update_cadence_min": 2700, "clock": ClockKind.BUSINESS_HOURS.value},
}


def ascii_folded(text: str) -> str:
    """Lowercase ASCII letters and digits only: ``Lefèvre`` -> ``lefevre``, ``de Jong`` -> ``dejong``."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return "".join(ch for ch in folded if ch.isalnum())


def staff_names(n: int) -> list[str]:
    """The first ``n`` names of a fixed sequence, so every run reuses the same people."""
    rng = random.Random(20240607)
    picks = rng.sample(range(len(STAFF_FIRST) * len(STAFF_LAST)), min(n, len(STAFF_FIRST) * len(STAFF_LAST)))
    return [f"{STAFF_FIRST[p // len(STAFF_LAST)]} {STAFF_LAST[p % len(STAFF_LAST)]}" for p in picks]
