#!/usr/bin/env python3
"""Sanity checks for the independent validation corpus (no dependency on screener)."""
import csv, email, email.parser, email.policy, email.utils, glob, os, re, sys

HERE = os.path.dirname(os.path.abspath(__file__))
REQUIRED = ['From', 'To', 'Subject', 'Date', 'Message-ID', 'MIME-Version', 'Content-Type',
            'Authentication-Results']
errors = []

def err(f, msg):
    errors.append(f"{f}: {msg}")

rows = list(csv.DictReader(open(os.path.join(HERE, 'labels.tsv'), newline=''), delimiter='\t'))
files = sorted(os.path.basename(p) for p in glob.glob(os.path.join(HERE, '*.eml')))
names = [r['file'] for r in rows]
if sorted(names) != files or len(set(names)) != len(names):
    errors.append(f"labels.tsv/file mismatch: missing={set(files)-set(names)} extra={set(names)-set(files)} dup={len(names)-len(set(names))}")

contacts = [l.strip() for l in open(os.path.join(HERE, 'contacts.txt')) if l.strip()]
for c in contacts:
    if c != c.lower():
        errors.append(f"contacts.txt: not lowercase: {c}")

ok_dom = re.compile(r'(^|\.)(example|example\.com|example\.org|example\.net)$')
for r in rows:
    f = r['file']
    raw = open(os.path.join(HERE, f), 'rb').read()
    if b'\r' in raw:
        err(f, 'CR found (want LF line endings)')
    m = email.parser.BytesParser(policy=email.policy.default).parsebytes(raw)
    for h in REQUIRED:
        if m[h] is None:
            err(f, f'missing {h}')
        elif h not in ('Content-Type',) and len(m.get_all(h)) != 1:
            err(f, f'duplicate {h}')
    if m.defects:
        err(f, f'defects {m.defects}')
    ar = str(m['Authentication-Results'])
    if not ar.startswith('mx.bergstrom.example;') or not all(k in ar for k in ('spf=', 'smtp.mailfrom=', 'dkim=', 'dmarc=', 'header.from=')):
        err(f, 'bad Authentication-Results')
    d = email.utils.parsedate_to_datetime(str(m['Date']))
    if d.year != 2026:
        err(f, f'date {d}')
    if r['label'] not in ('extractive', 'welcome', 'legit') or not f.startswith(r['label'] + '-'):
        err(f, 'label/prefix mismatch')
    # every text part decodes
    ntext = 0
    bodies = []
    for part in m.walk():
        if part.is_multipart():
            continue
        if part.get_content_maintype() == 'text':
            try:
                bodies.append(part.get_content())
                ntext += 1
            except Exception as e:
                err(f, f'text part {part.get_content_type()} fails to decode: {e}')
            if part.defects:
                err(f, f'part defects {part.defects}')
    if not ntext:
        err(f, 'no text part')
    # only example domains in all addresses / URLs
    text = ''.join(f'{k}: {v}\n' for k, v in m.items()) + '\n'.join(bodies)
    for dom in re.findall(r'[@/]([A-Za-z0-9.-]+\.[a-z]{2,})', text):
        dom = dom.lower().rstrip('.')
        if not ok_dom.search(dom):
            err(f, f'non-example domain {dom}')
    for ip in re.findall(r'\[(\d+\.\d+\.\d+\.\d+)\]', text):
        if not re.match(r'(192\.0\.2|198\.51\.100|203\.0\.113)\.', ip):
            err(f, f'non-documentation ip {ip}')
    # reply_ok must follow the README rule
    frm = email.utils.parseaddr(str(m['From']))[1].lower()
    authed = 'spf=pass' in ar and 'dmarc=pass' in ar
    listy = any(m[h] is not None for h in ('Precedence', 'List-Id', 'List-Unsubscribe', 'Auto-Submitted'))
    noreply = re.search(r'no-?reply|notification', frm) is not None
    want = 'yes' if (r['label'] == 'extractive' and authed and not listy and not noreply) else 'no'
    if r['reply_ok'] != want:
        err(f, f"reply_ok={r['reply_ok']} but rule says {want}")

for e in errors:
    print('ERROR', e)
from collections import Counter
print(Counter(r['label'] for r in rows), Counter((r['label'], r['reply_ok']) for r in rows))
print('OK' if not errors else f'{len(errors)} errors')
sys.exit(1 if errors else 0)
