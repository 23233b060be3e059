"""Draws ``docs/ticket-desk.png``, the README's picture: the modal the app builds from the fake
Siit's printer service and the ticket message it posts, rendered from the app's own Block Kit
(not a screenshot of Slack; run against the fakes). Needs Chromium:

    .venv/bin/python docs/make_picture.py
"""

from __future__ import annotations

import html
import json
import re
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from bot.backends.siit.service import parse_service
from bot.domain.forms import Draft, FormChoice
from bot.domain.ticket import Ticket
from bot.slack.views.form import build_form_view
from bot.slack.views.ticket_message import ticket_message
from bot.testing.siit_data import ACCESS_SERVICE, PRINTER_SERVICE

OUT = Path(__file__).with_name("ticket-desk.png")
STYLE = """
body { font: 15px/1.45 -apple-system, 'Segoe UI', Lato, 'DejaVu Sans', sans-serif; background: #f4ede4;
       margin: 0; padding: 28px; display: flex; gap: 28px; align-items: flex-start; color: #1d1c1d; }
.modal { width: 470px; background: #fff; border-radius: 8px; box-shadow: 0 8px 30px rgba(0,0,0,.25); }
.modal h1 { font-size: 20px; margin: 0; padding: 18px 24px; border-bottom: 1px solid #ddd; }
.modal .body { padding: 6px 24px 10px; }
.modal .foot { border-top: 1px solid #ddd; padding: 14px 24px; text-align: right; }
label { display: block; font-weight: 700; margin: 14px 0 6px; }
.opt { font-weight: 400; color: #616061; }
.box { border: 1px solid #8d8d8d; border-radius: 4px; padding: 8px 10px; color: #616061; min-height: 20px; }
.box.tall { min-height: 62px; }  .box.filled { color: #1d1c1d; }
.hint { color: #616061; font-size: 13px; margin-top: 4px; }
.btn { display: inline-block; border: 1px solid #bbb; border-radius: 4px; padding: 5px 14px; font-weight: 700;
       margin-right: 8px; background: #fff; }
.btn.primary { background: #007a5a; color: #fff; border-color: #007a5a; }
.channel { width: 560px; background: #fff; border-radius: 8px; box-shadow: 0 8px 30px rgba(0,0,0,.15); }
.channel h2 { font-size: 17px; margin: 0; padding: 14px 20px; border-bottom: 1px solid #ddd; }
.msg { display: flex; gap: 10px; padding: 12px 20px; }
.avatar { width: 36px; height: 36px; border-radius: 6px; background: #4a154b; color: #fff; font-weight: 700;
          display: flex; align-items: center; justify-content: center; flex: none; }
.avatar.person { background: #e8912d; }
.name { font-weight: 900; } .app { font-size: 11px; background: #ddd; padding: 1px 4px; border-radius: 3px; }
.fields { display: grid; grid-template-columns: 1fr 1fr; gap: 6px; margin: 8px 0; }
.context { color: #616061; font-size: 13px; margin: 6px 0; }
.thread { color: #1264a3; font-weight: 700; font-size: 13px; margin-top: 6px; }
.reply { border-top: 1px solid #eee; margin-left: 46px; }
"""


def mrkdwn(text: str) -> str:
    text = html.escape(html.unescape(text))
    text = re.sub(r"\*([^*]+)\*", r"<b>\1</b>", text)
    text = re.sub(r"&lt;@(\w+)&gt;", r"<b style='color:#1264a3'>@Ada Lovelace</b>", text)
    return text.replace("\n", "<br>")


def element_box(element: dict[str, Any]) -> str:
    kind = element["type"]
    if kind == "plain_text_input":
        value = element.get("initial_value")
        tall = " tall" if element.get("multiline") else ""
        shown = html.escape(value) if value else html.escape((element.get("placeholder") or {}).get("text", ""))
        return f"<div class='box{tall}{' filled' if value else ''}'>{shown}</div>"
    if kind in ("static_select", "external_select", "users_select", "multi_static_select"):
        initial = (element.get("initial_option") or {}).get("text", {}).get("text")
        shown = initial or (element.get("placeholder") or {}).get("text", "Select an option")
        return f"<div class='box{' filled' if initial else ''}'>{html.escape(shown)} ▾</div>"
    if kind == "datepicker":
        return "<div class='box'>Select a date</div>"
    if kind == "number_input":
        return "<div class='box'></div>"
    if kind == "checkboxes":
        return "".join(f"<div>☐ {html.escape(o['text']['text'])}</div>" for o in element.get("options", []))
    return f"<div class='box'>{html.escape(kind)}</div>"


def render_blocks(blocks: list[dict[str, Any]]) -> str:
    out = []
    for block in blocks:
        if block["type"] == "input":
            optional = " <span class='opt'>(optional)</span>" if block.get("optional") else ""
            hint = block.get("hint", {}).get("text")
            out.append(f"<label>{html.escape(block['label']['text'])}{optional}</label>{element_box(block['element'])}")
            if hint:
                out.append(f"<div class='hint'>{html.escape(hint)}</div>")
        elif block["type"] == "section":
            text = mrkdwn(block.get("text", {}).get("text", ""))
            accessory = block.get("accessory")
            if accessory and accessory["type"] == "button":
                text += f" &nbsp;<span class='btn'>{html.escape(accessory['text']['text'])}</span>"
            elif accessory:
                text = f"<label>{text}</label>{element_box(accessory)}"
            out.append(f"<div>{text}</div>")
            if block.get("fields"):
                cells = "".join(f"<div>{mrkdwn(f['text'])}</div>" for f in block["fields"])
                out.append(f"<div class='fields'>{cells}</div>")
        elif block["type"] == "context":
            out.append(
                "<div class='context'>" + " ".join(mrkdwn(e.get("text", "")) for e in block["elements"]) + "</div>"
            )
        elif block["type"] == "actions":
            buttons = "".join(f"<span class='btn'>{html.escape(e['text']['text'])}</span>" for e in block["elements"])
            out.append(f"<div style='margin-top:8px'>{buttons}</div>")
    return "\n".join(out)


def page() -> str:
    form = parse_service({"result": PRINTER_SERVICE}, service_uid="wa_printers")
    choices = [FormChoice(s["uid"], s["name"]) for s in (PRINTER_SERVICE, ACCESS_SERVICE)]
    draft = Draft(form_id=form.id, title="Printer on floor 3 jams")
    view = build_form_view(form=form, draft=draft, choices=choices, private_metadata="{}").to_dict()
    record = Ticket(
        backend="siit",
        ticket_id="req_12",
        friendly_id="REQ-12",
        url="https://app.siit.io/requests/req_12",
        title="Printer on floor 3 jams",
        form_id=form.id,
        form_name=form.name,
        status="in_progress",
        team_id="T1",
        channel_id="C1",
        message_ts="1.1",
        thread_ts="1.1",
        requester_id="U100",
        reporter_id="U100",
    )
    _, blocks = ticket_message(record)
    message = render_blocks([b.to_dict() for b in blocks])
    modal = render_blocks(view["blocks"])
    submit = view["submit"]["text"]
    return f"""<!doctype html><meta charset="utf-8"><style>{STYLE}</style>
<div class="modal"><h1>{html.escape(view["title"]["text"])}</h1><div class="body">{modal}</div>
<div class="foot"><span class="btn">Cancel</span><span class="btn primary">{html.escape(submit)}</span></div></div>
<div class="channel"><h2># it-help</h2>
<div class="msg"><div class="avatar person">A</div><div><span class="name">Ada Lovelace</span><br>
/ticket Printer on floor 3 jams</div></div>
<div class="msg"><div class="avatar">TD</div><div><span class="name">Ticket Desk</span> <span class="app">APP</span>
{message}<div class="thread">2 replies</div></div></div>
<div class="msg reply"><div class="avatar person">A</div><div><span class="name">Ada Lovelace</span><br>
It also shows error E-301 now.</div></div>
<div class="msg reply"><div class="avatar">TD</div><div>
<span class="name">Ticket Desk</span> <span class="app">APP</span><br>⟳ Status: <b>In progress</b></div></div>
</div>"""


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "picture.html"
        source.write_text(page())
        subprocess.run(
            [
                "chromium",
                "--headless",
                "--no-sandbox",
                "--hide-scrollbars",
                "--window-size=1140,925",
                f"--screenshot={OUT}",
                source.as_uri(),
            ],
            check=True,
            capture_output=True,
        )
    print(json.dumps({"written": str(OUT)}))


if __name__ == "__main__":
    main()
