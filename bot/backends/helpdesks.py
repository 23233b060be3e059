"""Every helpdesk the app can serve, by ``TICKET_BACKEND`` name."""

from __future__ import annotations

from bot.backends import siit, suptask, zendesk
from bot.backends.registry import Helpdesk

HELPDESKS: dict[str, Helpdesk] = {
    helpdesk.name: helpdesk for helpdesk in (siit.HELPDESK, suptask.HELPDESK, zendesk.HELPDESK)
}
