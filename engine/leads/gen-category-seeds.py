#!/usr/bin/env python3
# gen-category-seeds.py — the classifier's seed rules, from iD's presets
#
# Copyright 2026 The Nexus authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
#   gen-category-seeds.py PRESETS.csv SEEDS.h NAMES.h
#
# Reads data/categories/id_tagging_schema_poi_presets_en_ar.csv (ISC, iD
# contributors; see the LICENSE and PROVENANCE files beside it) and writes a
# C header defining NEXUS_CATEGORY_SEEDS_SQL: one INSERT of the seed rows of
# category_rules, appended to schema version 1 (nexus-schema-leads.c); and
# NAMES.h: each category's English and Arabic display name, from its base
# preset ("amenity/restaurant": Restaurant, مطعم), sorted by category for a
# binary search (nexus-category.c).
#
# A preset "amenity/restaurant/greek" gives category "restaurant" (the
# second part of its id).  Keywords and weights:
#   the category itself ("car_repair" → "car repair")   3
#   English and Arabic names                            3
#   aliases                                             2
#   search terms                                        1 (0.5 for sub-presets
#                                                          such as cuisines, whose
#                                                          terms are loose)
#   a sub-preset's cuisine ("mexican", "sushi")         2 for restaurant, 1.5
#                                                          elsewhere (a cuisine
#                                                          alone says restaurant
#                                                          rather than fast food)
# Latin keywords shorter than three letters are left out ("e", "bb").
# A (category, keyword) pair keeps its highest weight.  Presets that are not
# businesses (benches, parking, playgrounds…) are left out.  Keywords are kept
# as written: the classifier normalizes them when it loads the rules, so a
# change of normalization never needs new seeds.

import csv
import json
import sys

NOT_BUSINESSES = {
    'amenity': {
        'baking_oven', 'bbq', 'bench', 'bicycle_parking', 'bicycle_repair_station',
        'bicycle_wash', 'binoculars', 'car_pooling', 'clock', 'compressed_air',
        'device_charging_station', 'dog_toilet', 'dressing_room', 'drinking_water',
        'fountain', 'give_box', 'grave_yard', 'grit_bin', 'hunting_stand', 'kitchen',
        'kneipp_water_cure', 'lavoir', 'letter_box', 'library_dropoff', 'loading_dock',
        'lounger', 'luggage_locker', 'motorcycle_parking', 'parcel_locker', 'parking',
        'parking_entrance', 'parking_space', 'parking_surface', 'payment_terminal',
        'polling_station', 'post_box', 'prison', 'public_bookcase', 'recycling',
        'recycling_container', 'refugee_site', 'sanitary_dump_station', 'shelter',
        'shower', 'smoking_area', 'telephone', 'ticket_validator', 'toilets',
        'traffic_park', 'trolley_bay', 'vacuum_cleaner', 'vending_machine',
        'waste_basket', 'waste_disposal', 'water_point', 'watering_place', 'weighbridge',
    },
    'leisure': {
        'bandstand', 'bathing_place', 'bird_hide', 'bleachers', 'common', 'dog_park',
        'firepit', 'fishing', 'fitness_station', 'garden', 'hot_tub',
        'marina_no_facilities', 'nature_reserve', 'outdoor_seating', 'park',
        'picnic_table', 'pitch', 'playground', 'schoolyard', 'slipway',
        'slipway_drivable', 'swimming_area', 'track',
    },
    'tourism': {
        'artwork', 'camp_pitch', 'information', 'picnic_site', 'viewpoint',
        'wilderness_hut',
    },
    'shop': {'vacant'},
}


def is_arabic(text):
    return any('\u0600' <= c <= '\u06ff' for c in text)


def c_string(text):
    return '"' + text.replace('\\', '\\\\').replace('"', '\\"') + '"'


def sql_text(text):
    return "'" + text.replace("'", "''") + "'"


def main():
    source, output, names_output = sys.argv[1], sys.argv[2], sys.argv[3]
    rules = {}
    names = {}

    def add(category, keyword, weight, lang=None):
        keyword = ' '.join(keyword.split())
        if not keyword or (len(keyword) < 3 and not is_arabic(keyword)):
            return
        if lang is None:
            lang = 'ar' if is_arabic(keyword) else 'en'
        key = (category, keyword.lower())
        if key not in rules or rules[key][1] < weight:
            rules[key] = (lang, weight)

    with open(source, newline='', encoding='utf-8') as f:
        for row in csv.DictReader(f):
            parts = row['preset_id'].split('/')
            if len(parts) < 2:
                continue
            key, category = parts[0], parts[1].split('-')[0]
            if category in NOT_BUSINESSES.get(key, set()):
                continue
            sub_preset = len(parts) > 2
            if not sub_preset and category not in names and row['en_name']:
                names[category] = (row['en_name'], row['ar_name'] or row['en_name'])
            add(category, category.replace('_', ' '), 3, '')
            for name in (row['en_name'], row['ar_name']):
                add(category, name, 3)
            for column in ('en_aliases', 'ar_aliases'):
                for alias in row[column].split('|'):
                    add(category, alias, 2)
            for column in ('en_terms', 'ar_terms'):
                for term in row[column].split('|'):
                    add(category, term, 0.5 if sub_preset else 1)
            cuisine = json.loads(row['osm_tags']).get('cuisine')
            if sub_preset and cuisine:
                for value in cuisine.split(';'):
                    add(category, value.replace('_', ' '), 2 if category == 'restaurant' else 1.5)

    values = ['(%s, %s, %s, %s, \'seed\', 0)' % (sql_text(category), sql_text(keyword), sql_text(lang),
                                                 repr(float(weight)))
              for (category, keyword), (lang, weight) in sorted(rules.items())]

    with open(output, 'w', encoding='utf-8') as out:
        out.write('/* Generated by engine/leads/gen-category-seeds.py from\n')
        out.write(' * data/categories/id_tagging_schema_poi_presets_en_ar.csv\n')
        out.write(' * (@openstreetmap/id-tagging-schema, ISC, (c) iD contributors).\n')
        out.write(' * Do not edit. */\n')
        out.write('#pragma once\n\n')
        out.write('#define NEXUS_CATEGORY_N_SEEDS %d\n\n' % len(values))
        out.write('#define NEXUS_CATEGORY_SEEDS_SQL \\\n')
        out.write('  %s \\\n' % c_string('INSERT INTO category_rules (category, keyword, lang, weight,'
                                         ' origin, created_at) VALUES '))
        for i, value in enumerate(values):
            sep = ',' if i + 1 < len(values) else ';'
            out.write('  %s \\\n' % c_string(value + sep))
        out.write('  ""\n')

    with open(names_output, 'w', encoding='utf-8') as out:
        out.write('/* Generated by engine/leads/gen-category-seeds.py from\n')
        out.write(' * data/categories/id_tagging_schema_poi_presets_en_ar.csv\n')
        out.write(' * (@openstreetmap/id-tagging-schema, ISC, (c) iD contributors).\n')
        out.write(' * Do not edit. */\n')
        out.write('#pragma once\n\n')
        out.write('static const struct\n{\n  const char *category;\n  const char *en;\n'
                  '  const char *ar;\n} nexus_category_names[] = {\n')
        for category in sorted(names):
            en, ar = names[category]
            out.write('  { %s, %s, %s },\n' % (c_string(category), c_string(en), c_string(ar)))
        out.write('};\n')


if __name__ == '__main__':
    main()
