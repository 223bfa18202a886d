#!/usr/bin/env python3
# gen-basemap.py — compiles the bundled Natural Earth layers into the compact
# binary base map the console draws its offline tiles from.
#
# Copyright 2026 The Nexus authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# usage: gen-basemap.py LAND.geojson COUNTRIES.geojson OUTPUT
#
# Output, little-endian, positions as float32 normalized Web Mercator
# (x: 0 at 180° W, y: 0 at the top):
#   "NXBM" u32 version=1 u32 n_land_rings u32 n_countries
#   n_land_rings × ring
#   n_countries × (u16 len + UTF-8 English name, u16 len + UTF-8 Arabic
#                  name, f32 label x, f32 label y, f32 min label zoom,
#                  u32 n_rings, n_rings × ring)
#   ring = u32 n_points, f32 min_x min_y max_x max_y, n_points × (f32 x, f32 y)
import json
import math
import struct
import sys

MAX_LAT = 85.05112878


def project(lon, lat):
    lat = max(-MAX_LAT, min(MAX_LAT, lat))
    phi = math.radians(lat)
    x = (lon + 180.0) / 360.0
    y = (1.0 - math.log(math.tan(phi) + 1.0 / math.cos(phi)) / math.pi) / 2.0
    return x, y


def rings_of(geometry):
    if geometry is None:
        return []
    if geometry['type'] == 'Polygon':
        return list(geometry['coordinates'])
    if geometry['type'] == 'MultiPolygon':
        return [ring for polygon in geometry['coordinates'] for ring in polygon]
    return []


def pack_ring(ring):
    points = [project(lon, lat) for lon, lat in ring]
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    out = struct.pack('<I4f', len(points), min(xs), min(ys), max(xs), max(ys))
    return out + b''.join(struct.pack('<2f', x, y) for x, y in points)


def pack_text(text):
    data = (text or '').encode('utf-8')
    return struct.pack('<H', len(data)) + data


def main():
    land_path, countries_path, output = sys.argv[1:4]
    with open(land_path, encoding='utf-8') as f:
        land = json.load(f)
    with open(countries_path, encoding='utf-8') as f:
        countries = json.load(f)

    land_rings = [ring for feature in land['features'] for ring in rings_of(feature['geometry'])]
    features = [f for f in countries['features'] if rings_of(f['geometry'])]

    out = bytearray(b'NXBM')
    out += struct.pack('<III', 1, len(land_rings), len(features))
    for ring in land_rings:
        out += pack_ring(ring)
    for feature in features:
        props = feature['properties']
        rings = rings_of(feature['geometry'])
        x, y = project(props['LABEL_X'], props['LABEL_Y'])
        out += pack_text(props.get('NAME_EN') or props['NAME'])
        out += pack_text(props.get('NAME_AR') or props.get('NAME_EN') or props['NAME'])
        out += struct.pack('<3fI', x, y, float(props.get('MIN_LABEL') or 5.0), len(rings))
        for ring in rings:
            out += pack_ring(ring)

    with open(output, 'wb') as f:
        f.write(out)


if __name__ == '__main__':
    main()
