#!/usr/bin/env python3
"""Sanity checks for the held-out set: every .eml parses, every text part
decodes, required headers are present, and labels.tsv lists every file once."""
import csv, ipaddress, pathlib, re, sys
from email import policy
from email.parser import BytesParser

HERE = pathlib.Path(__file__).resolve().parent
REQ = ["From", "To", "Subject", "Date", "Message-ID", "MIME-Version",
       "Content-Type", "Authentication-Results"]
DOC_NETS = [ipaddress.ip_network(n) for n in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24")]
ok_dom = re.compile(r"(^|\.)(example|example\.com|example\.org|example\.net)$")
errors = []

files = sorted(p.name for p in HERE.glob("*.eml"))
with open(HERE / "labels.tsv", newline="") as f:
    rows = list(csv.reader(f, delimiter="\t"))
if rows[0] != ["file", "label", "reply_ok", "note"]:
    errors.append("labels.tsv: bad header")
listed = [r[0] for r in rows[1:]]
if sorted(listed) != files or len(set(listed)) != len(listed):
    errors.append("labels.tsv does not list every .eml exactly once")
for r in rows[1:]:
    if len(r) != 4 or r[1] not in ("extractive", "welcome", "legit") or r[2] not in ("yes", "no"):
        errors.append(f"bad row {r}")
    elif not r[0].startswith(r[1] + "-"):
        errors.append(f"{r[0]}: prefix does not match label {r[1]}")
    elif r[2] == "yes" and r[1] != "extractive":
        errors.append(f"{r[0]}: reply_ok=yes on non-extractive")

labels = {r[0]: r for r in rows[1:]}
for name in files:
    raw = (HERE / name).read_bytes()
    if b"\r" in raw:
        errors.append(f"{name}: CR found (want LF line endings)")
    msg = BytesParser(policy=policy.default).parsebytes(raw)
    for h in REQ:
        if msg[h] is None:
            errors.append(f"{name}: missing {h}")
    if msg.defects:
        errors.append(f"{name}: defects {msg.defects}")
    if "2026" not in str(msg["Date"]):
        errors.append(f"{name}: Date not in 2026")
    ar = str(msg["Authentication-Results"])
    if not ar.startswith("mx.bergstrom.example;") or not all(k in ar for k in ("spf=", "dkim=", "dmarc=", "header.from=", "smtp.mailfrom=", "header.d=")):
        errors.append(f"{name}: Authentication-Results format")
    texts = 0
    for part in msg.walk():
        if part.defects:
            errors.append(f"{name}: part defects {part.defects}")
        if part.get_content_maintype() == "text":
            try:
                part.get_content()
                texts += 1
            except Exception as e:  # noqa: BLE001
                errors.append(f"{name}: text part does not decode: {e}")
    if texts == 0:
        errors.append(f"{name}: no text part")
    # made-up data only
    hdrs = "\n".join(f"{k}: {v}" for part in msg.walk() for k, v in part.items())
    full = hdrs + "\n" + "\n".join(p.get_content() for p in msg.walk() if p.get_content_maintype() == "text")
    for d in set(re.findall(r"[\w.+-]+@([\w-]+(?:\.[\w-]+)+)", full)):
        if not ok_dom.search(d.lower()):
            errors.append(f"{name}: non-example domain {d}")
    for u in set(re.findall(r"https?://([\w.-]+)", full)):
        if not ok_dom.search(u.lower()):
            errors.append(f"{name}: non-example URL host {u}")
    for ip in set(re.findall(r"\b(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})\b", full)):
        try:
            a = ipaddress.ip_address(ip)
        except ValueError:
            continue
        if not any(a in n for n in DOC_NETS):
            errors.append(f"{name}: non-documentation IP {ip}")
    for ph in re.findall(r"(?<![\d=])555[- ](\d{4})(?!\d)", full):
        if not ph.startswith("01"):
            errors.append(f"{name}: phone 555-{ph} not in 555-01xx")
    # reply_ok consistency with the stated rule
    r = labels.get(name)
    if r:
        individual = (re.search(r"spf=pass", ar) and re.search(r"dkim=pass", ar) and re.search(r"dmarc=pass", ar)
                      and not any(msg[h] for h in ("Precedence", "List-Id", "List-Unsubscribe", "Auto-Submitted"))
                      and "noreply" not in str(msg["From"]).lower()
                      and "hank@bergstrom.example" in str(msg["To"]).lower())
        want = "yes" if (r[1] == "extractive" and individual) else "no"
        if r[2] != want:
            errors.append(f"{name}: reply_ok={r[2]} but rule says {want}")

contacts = [l.strip() for l in open(HERE / "contacts.txt") if l.strip()]
if any(c != c.lower() for c in contacts) or "@bergstrom.example" not in contacts:
    errors.append("contacts.txt: must be lowercase and include @bergstrom.example")
from email.utils import parseaddr
for name in ("legit-known-contact-intro-request-01.eml", "extractive-forged-known-contact-28.eml"):
    m = BytesParser(policy=policy.default).parsebytes((HERE / name).read_bytes())
    if parseaddr(str(m["From"]))[1].lower() not in contacts:
        errors.append(f"{name}: From should be in contacts.txt")
m = BytesParser(policy=policy.default).parsebytes((HERE / "legit-double-opt-in-reply-03.eml").read_bytes())
if parseaddr(str(m["From"]))[1].lower() in contacts:
    errors.append("introduced person should NOT be in contacts.txt")

from collections import Counter
print(Counter(r[1] for r in rows[1:]), Counter((r[1], r[2]) for r in rows[1:] if r[2] == "yes"))
print(f"{len(files)} files checked")
for e in errors:
    print("ERROR", e)
sys.exit(1 if errors else 0)
