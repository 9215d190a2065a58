#!/usr/bin/env python3
"""Writes a damaged copy of a safetensors checkpoint for the bad-input catalogue.

usage: mutate_st.py IN OUT OP [ARG]
  drop NAME        remove tensor NAME (header and bytes)
  extra            add a tensor 'backbone.layers.0.mixer.surprise' (F32 [2])
  dtype NAME       relabel tensor NAME as I32 (same byte size as F32)
  nan NAME         set the first element of F32 tensor NAME to NaN
  inf NAME         set the first element of F32 tensor NAME to +Inf
  truncate         cut the file 100 bytes before its end
  header-beyond    make the 8-byte header length larger than the file
  overlap NAME     make tensor NAME's data_offsets overlap the previous tensor's
"""
import json, struct, sys

src, dst, op = sys.argv[1], sys.argv[2], sys.argv[3]
arg = sys.argv[4] if len(sys.argv) > 4 else None
raw = open(src, 'rb').read()
n = struct.unpack('<Q', raw[:8])[0]
header = json.loads(raw[8:8 + n])
data = bytearray(raw[8 + n:])
meta = header.pop('__metadata__', None)

def write(header, data):
    if meta is not None:
        header = dict(header, __metadata__=meta)
    h = json.dumps(header).encode()
    h += b' ' * (-len(h) % 8)
    open(dst, 'wb').write(struct.pack('<Q', len(h)) + h + bytes(data))

def repack(header, data, skip=None):
    out, new = bytearray(), {}
    for name, t in sorted(header.items(), key=lambda kv: kv[1]['data_offsets'][0]):
        if name == skip:
            continue
        b, e = t['data_offsets']
        new[name] = dict(t, data_offsets=[len(out), len(out) + e - b])
        out += data[b:e]
    return new, out

if op == 'drop':
    assert arg in header, arg
    write(*repack(header, data, skip=arg))
elif op == 'extra':
    header['backbone.layers.0.mixer.surprise'] = {
        'dtype': 'F32', 'shape': [2], 'data_offsets': [len(data), len(data) + 8]}
    write(header, data + struct.pack('<2f', 1.0, 2.0))
elif op == 'dtype':
    assert header[arg]['dtype'] == 'F32'
    header[arg]['dtype'] = 'I32'
    write(header, data)
elif op in ('nan', 'inf'):
    assert header[arg]['dtype'] == 'F32'
    b = header[arg]['data_offsets'][0]
    data[b:b + 4] = struct.pack('<f', float(op))
    write(header, data)
elif op == 'truncate':
    open(dst, 'wb').write(raw[:-100])
elif op == 'header-beyond':
    open(dst, 'wb').write(struct.pack('<Q', len(raw) + 1000) + raw[8:])
elif op == 'overlap':
    order = sorted(header, key=lambda k: header[k]['data_offsets'][0])
    i = order.index(arg)
    assert i > 0
    b, e = header[arg]['data_offsets']
    header[arg]['data_offsets'] = [b - 4, e - 4]
    write(header, data)
else:
    sys.exit('unknown op ' + op)
