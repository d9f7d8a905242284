#!/usr/bin/env python3
"""Regenerates jasyncio-core/src/main/javadoc/overview.html (the Javadoc overview page) from the
README's "asyncio → jasyncio" table, the one source of that mapping. Run from the repository root."""
import html
import re

R = open('README.md', encoding='utf-8').read().split('\n')
i = R.index('## asyncio → jasyncio')
j = i + 1
while not R[j].startswith('| asyncio |'):
    j += 1
intro = re.sub(r'<!--.*?-->', '', ' '.join(l for l in R[i + 1:j] if l.strip())).strip()
rows = []
k = j + 2
while k < len(R) and R[k].startswith('|'):
    rows.append(R[k])
    k += 1


def conv(t):
    out = ''
    for p in re.split(r'(`[^`]*`)', t):
        if p.startswith('`') and p.endswith('`') and len(p) > 1:
            out += '<code>' + html.escape(p[1:-1]) + '</code>'
        else:
            p = html.escape(p, quote=False)
            p = re.sub(r'\*\*(.+?)\*\*', r'<b>\1</b>', p)
            p = re.sub(r'\[([^\]]+)\]\([^)]+\)', r'\1', p)
            out += p
    return out


body = []
for r in rows:
    cells = [c.strip() for c in r.strip().strip('|').split('|')]
    body.append('<tr>' + ''.join('<td>' + conv(c) + '</td>' for c in cells) + '</tr>')
nl = '\n'
doc = f'''<!DOCTYPE html>
<html lang="en">
<head><title>jasyncio</title></head>
<body>
<p>jasyncio is asyncio for Java: one event loop, tasks on virtual threads, only one task of a loop
running at a time. Start with {{@link io.jasyncio.Asyncio#run(java.util.concurrent.Callable)}}; the
modules are io.jasyncio (the loop, tasks, synchronization, queues, streams, transports,
subprocesses), io.jasyncio.test (the JUnit 5 extension and virtual time) and io.jasyncio.monitor
(the in-process monitor). When something goes wrong, the troubleshooting guide
(docs/troubleshooting.md in the source tree) lists every warning and error jasyncio prints.</p>

<h1>asyncio &rarr; jasyncio</h1>
<p>{conv(intro)}</p>
<!-- Generated from the README's "asyncio → jasyncio" table, which is the source: edit the README,
     then regenerate with scripts/overview-from-readme.py. -->
<table class="striped">
<caption>asyncio's API and its jasyncio counterpart</caption>
<thead><tr><th scope="col">asyncio</th><th scope="col">jasyncio</th><th scope="col">notes</th></tr></thead>
<tbody>
{nl.join(body)}
</tbody>
</table>
</body>
</html>
'''
open('jasyncio-core/src/main/javadoc/overview.html', 'w', encoding='utf-8').write(doc)
