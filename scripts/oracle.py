#!/usr/bin/env python3
"""Independent reference implementation (test oracle) of the bonus territoire CTG.

Written from the rules only (docs/regles.md R1-R9 and R60-R65, docs/bareme.md, the input and
output formats), NOT from the Rust sources.  Python 3.11, stdlib only.

Usage:  python3 scripts/oracle.py DOSSIER [--exercice N] [--bareme FILE]

Output (stdout, ',' delimiter, '.' decimal, LF, no BOM):
  block 1: one row per structure, sorted by id (byte order)
  empty line
  block 2: one row per (collectivite, volet) appearing in the charges or in the eligible
           structures, sorted (byte order)
  last line: TOTAL_CAF,<amount>

All arithmetic is exact (fractions.Fraction, amounts in cents).
Exit codes: 0 ok, 1 invalid data / barème, 2 usage.
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import math
import os
import re
import sys
import tomllib
from decimal import Decimal
from fractions import Fraction

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_BAREME = os.path.normpath(os.path.join(HERE, "..", "src", "bareme_defaut.toml"))

MOTIFS_ORDER = (
    "ANNEXE_2BIS",
    "TYPE_SANS_VOLET",
    "FINANCEMENT_INCOMPATIBLE",
    "SANS_SOUTIEN_COLLECTIVITE",
    "COLLECTIVITE_NON_SIGNATAIRE",
    "FERMEE",
)

HEADER_STRUCTURES = (
    "id,nom,type,volet,gestionnaire,collectivite,motif,unites_eligibles,taux_unitaire,"
    "bonus_lissage,bonus_nouvelles,bonus_total,ecart_arrondi,contribution_collectivite_n1,"
    "contribution_collectivite_n,financement_public_n1,financement_public_n,variation,"
    "bonus_trajectoire,bonus_ctre"
).split(",")
HEADER_RAPPROCHEMENT = (
    "collectivite,volet,charge_n1,lissage_verse,nouvelles_versees,complement_plancher,"
    "non_redistribue,verse_collectivite,trajectoire_versee"
).split(",")


class DataError(Exception):
    pass


def bkey(s: str) -> bytes:
    """Byte-order key (UTF-8)."""
    return s.encode("utf-8")


# --------------------------------------------------------------------------- number parsing

_SPACES = " \u00a0\u202f"
_RE_PLAIN = re.compile(r"^(\d+)(?:[.,](\d{1,2}))?$")
_RE_SPACE_GROUPED = re.compile(r"^(\d{1,3}(?:[ \u00a0\u202f]\d{3})+)(?:[.,](\d{1,2}))?$")
_RE_DOT_GROUPED = re.compile(r"^(\d{1,3}(?:\.\d{3})+),(\d{1,2})$")


def parse_decimal(raw: str, where: str) -> Fraction:
    """Non-negative decimal with at most 2 decimals, French or English writing."""
    s = raw.strip()
    if s.endswith("€"):
        s = s[:-1]
    s = s.strip(_SPACES + "\t")
    for rx in (_RE_PLAIN, _RE_SPACE_GROUPED, _RE_DOT_GROUPED):
        mt = rx.match(s)
        if mt:
            ent = re.sub(r"[ \u00a0\u202f.]", "", mt.group(1))
            dec = mt.group(2) or ""
            return Fraction(int(ent)) + (Fraction(int(dec), 10 ** len(dec)) if dec else 0)
    raise DataError(f"{where}: valeur décimale invalide {raw!r}")


def parse_int(raw: str, where: str, lo: int, hi: int) -> int:
    s = raw.strip()
    if not re.fullmatch(r"\d+", s):
        raise DataError(f"{where}: entier invalide {raw!r}")
    v = int(s)
    if not lo <= v <= hi:
        raise DataError(f"{where}: valeur hors de {lo}..{hi} {raw!r}")
    return v


def parse_bool(raw: str, where: str) -> bool:
    s = raw.strip().lower()
    if s in ("oui", "true", "1"):
        return True
    if s in ("non", "false", "0"):
        return False
    raise DataError(f"{where}: booléen invalide {raw!r}")


def parse_annexe(raw: str, where: str) -> str:
    s = re.sub(r"\s+", "", raw.strip().lower())
    if s == "2":
        return "2"
    if s == "2bis":
        return "2bis"
    raise DataError(f"{where}: annexe invalide {raw!r}")


def toml_number(v, where: str) -> Fraction:
    """Barème number: decimal string, TOML int, or TOML float (by its decimal writing)."""
    if isinstance(v, bool):
        raise DataError(f"{where}: nombre attendu, booléen trouvé")
    if isinstance(v, int):
        return Fraction(v)
    if isinstance(v, float):
        return Fraction(Decimal(repr(v)))
    if isinstance(v, str):
        s = v.strip().replace(",", ".")
        try:
            return Fraction(Decimal(s))
        except Exception:
            raise DataError(f"{where}: nombre invalide {v!r}")
    raise DataError(f"{where}: nombre attendu, {type(v).__name__} trouvé")


# --------------------------------------------------------------------------- CSV reading

def read_text(path: str) -> str:
    data = open(path, "rb").read()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        print(f"{path}: octets non UTF-8, lecture en windows-1252", file=sys.stderr)
        return data.decode("cp1252")


def read_csv(path: str, required: list[str]) -> list[tuple[int, dict]]:
    """Return [(line_number, {column: value})]; delimiter detected from the header.

    The header is the first non-empty line; the delimiter (';' or ',') is the one that splits
    it into a set of columns containing all required ones.  Empty / blank lines are skipped.
    Quoted fields (RFC 4180, possibly spanning lines) are handled by the csv module.
    """
    text = read_text(path)
    lines = text.splitlines()
    first = next((ln for ln in lines if ln.strip()), None)
    if first is None:
        raise DataError(f"{path}: fichier vide")
    delim = None
    for d in (";", ","):
        cols = [c.strip().lower() for c in next(csv.reader([first], delimiter=d))]
        if all(r in cols for r in required):
            delim = d
            break
    if delim is None:
        raise DataError(f"{path}: ligne d'en-tête sans les colonnes {required}")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim)
    header = None
    rows = []
    for fields in reader:
        if all(not f.strip() for f in fields):
            continue
        if header is None:
            header = [c.strip().lower() for c in fields]
            continue
        row = {name: (fields[j].strip() if j < len(fields) else "") for j, name in enumerate(header)}
        rows.append((reader.line_num, row))
    return rows


# --------------------------------------------------------------------------- barème

def to_date(v, where: str) -> dt.date:
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    if isinstance(v, str):
        try:
            return dt.date.fromisoformat(v.strip())
        except ValueError:
            pass
    raise DataError(f"{where}: date 'debut' invalide {v!r}")


SHORT_FORM_DATE = dt.date(1900, 1, 1)


def norm_param(v, where: str) -> tuple[dict, bool]:
    """Parameter -> ({debut: valeur}, is_short_form).  Dated list (OpenFisca style) or short form.

    Short form (`plancher = "150"`): a single value in force since 1900-01-01 (docs/bareme.md).
    """
    def is_dated_entry(e):
        return isinstance(e, dict) and "debut" in e and "valeur" in e

    if isinstance(v, list) and v and all(is_dated_entry(e) for e in v):
        out = {}
        for e in v:
            if e.get("remplacee") is True:
                continue  # a superseded value kept for the record only
            out[to_date(e["debut"], where)] = e["valeur"]  # later entry at same date wins
        return out, False
    if is_dated_entry(v):
        return {to_date(v["debut"], where): v["valeur"]}, False
    return {SHORT_FORM_DATE: v}, True


GLOBAL_KEYS = ("nombre_tranches", "ajustement_contribution", "arrondi")
TRAJ_KEYS = ("volet", "annee_reference", "seuils", "montants")


def load_bareme_file(path: str) -> dict:
    with open(path, "rb") as f:
        try:
            raw = tomllib.load(f)
        except tomllib.TOMLDecodeError as e:
            raise DataError(f"{path}: TOML invalide: {e}")
    out = {"globals": {}, "volets": {}}
    for k in GLOBAL_KEYS:
        if k in raw:
            out["globals"][k] = norm_param(raw[k], f"{path}: {k}")
    for k, v in (raw.get("trajectoire") or {}).items():
        if k not in TRAJ_KEYS:
            raise DataError(f"{path}: trajectoire.{k} inconnu")
        out["globals"]["trajectoire." + k] = norm_param(v, f"{path}: trajectoire.{k}")
    for vname, params in (raw.get("volets") or {}).items():
        vn = vname.strip().upper()
        if not isinstance(params, dict):
            raise DataError(f"{path}: volets.{vname} doit être une table")
        d = out["volets"].setdefault(vn, {})
        for pk, pv in params.items():
            d[pk] = norm_param(pv, f"{path}: volets.{vname}.{pk}")
    return out


def merge_bareme(base: dict, over: dict) -> dict:
    """Value-by-value merge: dated values added to history, same debut -> override wins.

    Entries are (history, is_short_form).  A short-form override ("une valeur unique en
    vigueur depuis 1900-01-01") replaces the whole history of that parameter: otherwise the
    built-in dated values (debut 2020-01-01) would always be more recent than 1900-01-01 and
    the documented example `plancher = "150"` would have no effect.
    """
    def put(dst: dict, k, entry):
        hist, short = entry
        if short or k not in dst:
            dst[k] = (dict(hist), short)
        else:
            dst[k][0].update(hist)

    res = {"globals": {k: (dict(h), sf) for k, (h, sf) in base["globals"].items()},
           "volets": {vn: {pk: (dict(h), sf) for pk, (h, sf) in ps.items()}
                      for vn, ps in base["volets"].items()}}
    for k, entry in over["globals"].items():
        put(res["globals"], k, entry)
    for vn, ps in over["volets"].items():
        dv = res["volets"].setdefault(vn, {})
        for pk, entry in ps.items():
            put(dv, pk, entry)
    return res


_ABSENT = object()


def in_force(entry, year: int):
    """Value whose debut is the latest on or before 1 January of `year` (R1)."""
    if not entry:
        return _ABSENT
    hist = entry[0]
    ref = dt.date(year, 1, 1)
    ds = [d for d in hist if d <= ref]
    if not ds:
        return _ABSENT
    return hist[max(ds)]


class Bareme:
    def __init__(self, merged: dict, year: int):
        g = merged["globals"]

        def glob(k, default):
            v = in_force(g.get(k), year)
            return default if v is _ABSENT else v

        nt = glob("nombre_tranches", 3)
        if isinstance(nt, str):
            nt = nt.strip()
            if not nt.isdigit():
                raise DataError(f"barème: nombre_tranches invalide {nt!r}")
            nt = int(nt)
        if not isinstance(nt, int) or isinstance(nt, bool) or nt < 1:
            raise DataError(f"barème: nombre_tranches invalide {nt!r}")
        self.nombre_tranches = nt
        self.ajustement = str(glob("ajustement_contribution", "neutre")).strip().lower()
        if self.ajustement not in ("neutre", "aucun", "integral"):
            raise DataError(f"barème: ajustement_contribution invalide {self.ajustement!r}")
        self.arrondi = str(glob("arrondi", "demi-haut")).strip().lower()
        if self.arrondi not in ("demi-haut", "troncature"):
            raise DataError(f"barème: arrondi invalide {self.arrondi!r}")

        self.volets = {}
        type_to_volet = {}
        for vn, ps in merged["volets"].items():
            w = f"barème: volets.{vn}"

            def p(k, default):
                v = in_force(ps.get(k), year)
                return default if v is _ABSENT else v

            types = p("types", [])
            if not isinstance(types, list):
                raise DataError(f"{w}.types: liste attendue")
            types = [str(t).strip().upper() for t in types]
            fin = p("financement", None)
            if fin is not None:
                if isinstance(fin, str):
                    fin = [fin]
                fin = [str(x).strip().upper() for x in fin]
            versement = str(p("versement", "structures")).strip().lower()
            if versement not in ("structures", "collectivite", "employeurs"):
                raise DataError(f"{w}.versement invalide {versement!r}")
            forf = p("forfaits_nouvelles", [])
            if not isinstance(forf, list):
                forf = [forf]
            forf = [toml_number(x, f"{w}.forfaits_nouvelles") * 100 for x in forf]  # cents
            if forf and len(forf) != nt:
                raise DataError(f"{w}.forfaits_nouvelles: {len(forf)} montants pour {nt} tranches")
            # floor (cents / unit) and revaluation: grids by population stratum x amount m
            plancher = read_grid(p("plancher", "0"), lambda x: toml_number(x, f"{w}.plancher") * 100, f"{w}.plancher")
            reval = read_grid(p("revalorisation", "0"), lambda x: toml_number(x, f"{w}.revalorisation"), f"{w}.revalorisation")
            plaf = p("plafond_developpement", None)
            plaf = None if plaf is None else toml_number(plaf, f"{w}.plafond_developpement")
            plaf_base = str(p("plafond_base", "enveloppe")).strip().lower()
            if plaf_base not in ("enveloppe", "unites"):
                raise DataError(f"{w}.plafond_base invalide {plaf_base!r}")
            self.volets[vn] = dict(types=types, financement=fin, versement=versement,
                                   forfaits=forf, plancher=plancher, revalorisation=reval,
                                   plafond=plaf, plafond_base=plaf_base)
            if versement == "employeurs":
                continue  # CTRE: counts the employer places of these types, not their volet
            for t in types:
                if t in type_to_volet and type_to_volet[t] != vn:
                    raise DataError(f"barème: type {t} dans deux volets ({type_to_volet[t]}, {vn})")
                type_to_volet[t] = vn
        self.type_to_volet = type_to_volet

        # bonus trajectoire (section [trajectoire]); absent or empty thresholds: none
        seuils = in_force(g.get("trajectoire.seuils"), year)
        if seuils is _ABSENT or not seuils:
            self.trajectoire = None
        else:
            montants = in_force(g.get("trajectoire.montants"), year)
            tvolet = in_force(g.get("trajectoire.volet"), year)
            if montants is _ABSENT or tvolet is _ABSENT or len(montants) != len(seuils):
                raise DataError("barème: trajectoire incomplète")
            self.trajectoire = dict(
                volet=str(tvolet).strip().upper(),
                seuils=[toml_number(x, "trajectoire.seuils") for x in seuils],
                montants=[toml_number(x, "trajectoire.montants") * 100 for x in montants],
            )


def read_grid(v, cell, where):
    """A grid {seuils_population, seuils_montant, valeurs} or a plain value (1 x 1)."""
    if not isinstance(v, dict):
        return ([], [], [[cell(v)]])
    pops = [int(x) for x in v.get("seuils_population", [])]
    amounts = [toml_number(x, where) * 100 for x in v.get("seuils_montant", [])]
    rows = [[cell(x) for x in row] for row in v["valeurs"]]
    if len(rows) != len(pops) + 1 or any(len(r) != len(amounts) + 1 for r in rows):
        raise DataError(f"{where}: grille de mauvaise taille")
    return (pops, amounts, rows)


def grid_cell(grid, population, m):
    """Row = number of population thresholds <= population; column = number of amount
    thresholds <= m (cents per unit)."""
    pops, amounts, rows = grid
    if pops:
        if population is None:
            raise DataError("convention.toml: population absente alors qu'une grille en dépend")
        r = sum(1 for t in pops if t <= population)
    else:
        r = 0
    c = sum(1 for t in amounts if t <= m)
    return rows[r][c]


# --------------------------------------------------------------------------- dossier

STRUCT_REQUIRED = ["id", "annexe", "type", "nom", "gestionnaire", "collectivite", "financement"]
CHARGE_REQUIRED = ["collectivite", "volet", "montant"]


def check_cents(x: Fraction, where: str) -> Fraction:
    c = x * 100
    if c.denominator != 1:
        raise DataError(f"{where}: plus de 2 décimales")
    return c


def load_dossier(dossier: str, exercice_arg, bareme_arg):
    conv_path = os.path.join(dossier, "convention.toml")
    if not os.path.isfile(conv_path):
        raise DataError(f"{conv_path}: fichier absent")
    with open(conv_path, "rb") as f:
        try:
            conv = tomllib.load(f)
        except tomllib.TOMLDecodeError as e:
            raise DataError(f"{conv_path}: TOML invalide: {e}")
    year = exercice_arg if exercice_arg is not None else conv.get("exercice")
    if not isinstance(year, int) or isinstance(year, bool):
        raise DataError(f"{conv_path}: exercice absent ou invalide")

    merged = load_bareme_file(DEFAULT_BAREME)
    over_path = bareme_arg or os.path.join(dossier, "bareme.toml")
    if bareme_arg or os.path.isfile(over_path):
        merged = merge_bareme(merged, load_bareme_file(over_path))
    bar = Bareme(merged, year)

    collectivites = {}
    for k, c in enumerate(conv.get("collectivites") or []):
        w = f"{conv_path}: collectivites[{k}]"
        if "id" not in c:
            raise DataError(f"{w}: id absent")
        cid = str(c["id"]).strip()
        if cid in collectivites:
            raise DataError(f"{w}: id {cid} en double")
        tr = c.get("tranche")
        if tr is not None:
            if not isinstance(tr, int) or isinstance(tr, bool) or not 1 <= tr <= bar.nombre_tranches:
                raise DataError(f"{w}: tranche {tr!r} hors de 1..{bar.nombre_tranches}")
        sig = c.get("signataire", True)
        if isinstance(sig, str):
            sig = parse_bool(sig, f"{w}.signataire")
        pop = c.get("population")
        if pop is not None and (not isinstance(pop, int) or isinstance(pop, bool) or pop < 0):
            raise DataError(f"{w}: population invalide {pop!r}")
        collectivites[cid] = dict(id=cid, tranche=tr, signataire=bool(sig), population=pop)

    sp = os.path.join(dossier, "structures.csv")
    structures = []
    seen = set()
    for lineno, r in read_csv(sp, STRUCT_REQUIRED):
        def W(col):
            return f"{sp}:{lineno}: colonne {col}"
        for col in STRUCT_REQUIRED:
            if not r.get(col, ""):
                raise DataError(f"{W(col)}: valeur obligatoire absente")
        sid = r["id"]
        if sid in seen:
            raise DataError(f"{W('id')}: id {sid!r} en double")
        seen.add(sid)
        opt = lambda col: r.get(col, "")
        s = dict(
            id=sid, nom=r["nom"], gestionnaire=r["gestionnaire"],
            annexe=parse_annexe(r["annexe"], W("annexe")),
            type=r["type"].strip().upper(),
            collectivite=r["collectivite"].strip(),
            financement=r["financement"].strip().upper(),
            soutien=parse_bool(opt("soutien_collectivite"), W("soutien_collectivite")) if opt("soutien_collectivite") else True,
            ue=parse_decimal(opt("unites_existantes"), W("unites_existantes")) if opt("unites_existantes") else Fraction(0),
            un=parse_decimal(opt("unites_nouvelles"), W("unites_nouvelles")) if opt("unites_nouvelles") else Fraction(0),
            uemp=parse_decimal(opt("unites_employeurs"), W("unites_employeurs")) if opt("unites_employeurs") else Fraction(0),
            uempn=parse_decimal(opt("unites_employeurs_nouvelles"), W("unites_employeurs_nouvelles")) if opt("unites_employeurs_nouvelles") else Fraction(0),
            mo=parse_int(opt("mois_ouverture"), W("mois_ouverture"), 0, 12) if opt("mois_ouverture") else 12,
            c1=check_cents(parse_decimal(opt("contribution_collectivite_n1"), W("contribution_collectivite_n1")), W("contribution_collectivite_n1")) if opt("contribution_collectivite_n1") else Fraction(0),
            b1=check_cents(parse_decimal(opt("bonus_n1"), W("bonus_n1")), W("bonus_n1")) if opt("bonus_n1") else Fraction(0),
        )
        if s["financement"] not in ("PSU", "PAJE", "PSO", "AUCUN"):
            raise DataError(f"{W('financement')}: valeur invalide {r['financement']!r}")
        if s["uemp"] > s["ue"]:
            raise DataError(f"{W('unites_employeurs')}: supérieur à unites_existantes")
        if s["collectivite"] not in collectivites:
            raise DataError(f"{W('collectivite')}: collectivité inconnue {s['collectivite']!r}")
        structures.append(s)

    cp = os.path.join(dossier, "charges_n1.csv")
    charges = {}  # (c, v) -> cents
    if os.path.isfile(cp):
        for lineno, r in read_csv(cp, CHARGE_REQUIRED):
            def W(col):
                return f"{cp}:{lineno}: colonne {col}"
            for col in CHARGE_REQUIRED:
                if not r.get(col, ""):
                    raise DataError(f"{W(col)}: valeur obligatoire absente")
            c = r["collectivite"].strip()
            if c not in collectivites:
                raise DataError(f"{W('collectivite')}: collectivité inconnue {c!r}")
            v = r["volet"].strip().upper()
            if not re.fullmatch(r"[A-Z0-9_]+", v):
                raise DataError(f"{W('volet')}: volet invalide {r['volet']!r}")
            m = check_cents(parse_decimal(r["montant"], W("montant")), W("montant"))
            charges[(c, v)] = charges.get((c, v), Fraction(0)) + m
    else:
        raise DataError(f"{cp}: fichier absent")
    return year, bar, collectivites, structures, charges


# --------------------------------------------------------------------------- calculation

def round_group_total(x: Fraction, mode: str) -> int:
    """Round a cents amount to an integer number of cents."""
    if mode == "troncature":
        return math.trunc(x)
    # half away from zero
    sgn = -1 if x < 0 else 1
    return sgn * math.floor(abs(x) + Fraction(1, 2))


def allocate(shares: dict, mode: str) -> dict:
    """shares: id -> exact cents (Fraction).  Largest remainders, ties to smaller id."""
    if not shares:
        return {}
    total = sum(shares.values(), Fraction(0))
    T = round_group_total(total, mode)
    floors = {i: math.floor(x) for i, x in shares.items()}
    rest = T - sum(floors.values())
    order = sorted(shares, key=lambda i: (-(shares[i] - floors[i]), bkey(i)))
    paid = dict(floors)
    if rest >= 0:
        if rest > len(order):
            raise AssertionError("rounding: more cents than lines")
        for i in order[:rest]:
            paid[i] += 1
    else:  # only possible with negative totals (never with valid data)
        for i in reversed(order[rest:]):
            paid[i] -= 1
    return paid


def compute(year, bar: Bareme, collectivites, structures, charges):
    # ---- eligibility
    for s in structures:
        vn = bar.type_to_volet.get(s["type"])
        s["volet"] = vn or ""
        vol = bar.volets.get(vn) if vn else None
        coll = collectivites[s["collectivite"]]
        if s["annexe"] == "2bis":
            motif = "ANNEXE_2BIS"
        elif vol is None or vol["versement"] != "structures":
            motif = "TYPE_SANS_VOLET"
        elif vol["financement"] is not None and s["financement"] not in vol["financement"]:
            motif = "FINANCEMENT_INCOMPATIBLE"
        elif not s["soutien"]:
            motif = "SANS_SOUTIEN_COLLECTIVITE"
        elif not coll["signataire"]:
            motif = "COLLECTIVITE_NON_SIGNATAIRE"
        elif s["mo"] == 0:
            motif = "FERMEE"
        else:
            motif = "ELIGIBLE"
        s["motif"] = motif
        s["u"] = s["ue"] - s["uemp"] if motif == "ELIGIBLE" else Fraction(0)
        s["taux"] = Fraction(0)   # cents / unit
        s["s_exact"] = Fraction(0)
        s["t_exact"] = Fraction(0)
        s["traj_exact"] = Fraction(0)
        s["L"] = 0
        s["N"] = 0
        s["T"] = 0
        s["CTRE"] = 0

    # ---- groups: eligible structures by (collectivite, volet) ...
    groups = {}
    for s in structures:
        if s["motif"] == "ELIGIBLE":
            groups.setdefault((s["collectivite"], s["volet"]), []).append(s)
    # ... and, for a CTRE volet (versement "employeurs"), the annexe 2 structures of its
    # types and financing, open in N, with employer places (support not required)
    for vn, vol in bar.volets.items():
        if vol["versement"] != "employeurs":
            continue
        for s in structures:
            if (s["annexe"] == "2" and s["type"] in vol["types"]
                    and (vol["financement"] is None or s["financement"] in vol["financement"])
                    and s["mo"] > 0 and (s["uemp"] > 0 or s["uempn"] > 0)):
                groups.setdefault((s["collectivite"], vn), []).append(s)
    # a CTRE group is reported with its charge lines or with a new employer place
    keys = set(charges) | {k for k, ms in groups.items()
                           if bar.volets[k[1]]["versement"] != "employeurs"
                           or any(s["uempn"] > 0 for s in ms)}
    recon = []
    for (c, v) in sorted(keys, key=lambda k: (bkey(k[0]), bkey(k[1]))):
        A = charges.get((c, v), Fraction(0))
        vol = bar.volets.get(v)
        row = dict(collectivite=c, volet=v, A=A, L=0, N=0, C=0, R=0, P=0, T=0)
        if vol is None:
            row["R"] = A  # unknown volet: not redistributable (R5)
        elif vol["versement"] == "collectivite":
            row["P"] = A  # PILOTAGE: paid to the collectivité, exact amount (R5)
        else:
            ctre = vol["versement"] == "employeurs"
            members = groups.get((c, v), [])
            unit = (lambda s: s["uemp"]) if ctre else (lambda s: s["u"])
            new = (lambda s: s["uempn"]) if ctre else (lambda s: s["un"])
            U = sum((unit(s) for s in members), Fraction(0))
            pop = collectivites[c]["population"]
            # 4.1 lissage
            shares = {}
            if U > 0:
                m = A / U
                plancher = grid_cell(vol["plancher"], pop, m)
                reval = grid_cell(vol["revalorisation"], pop, m)
                m_eff = max(m, plancher) * (1 + reval)
                for s in members:
                    shares[s["id"]] = m_eff * unit(s) * s["mo"] / 12
                    if not ctre:
                        s["taux"] = m_eff
                        s["s_exact"] = shares[s["id"]]
                paidL = allocate(shares, bar.arrondi)
                # complement: what is paid beyond the envelope at its own rate, never < 0
                base = sum((m * unit(s) * s["mo"] / 12 for s in members), Fraction(0))
                extra = sum(shares.values(), Fraction(0)) - base
                C = round_group_total(extra, "demi-haut") if extra > 0 else 0
            else:
                paidL = {}
                C = 0
            # 4.2 new units
            tranche = collectivites[c]["tranche"]
            if vol["forfaits"]:
                if ctre:
                    forfait = vol["forfaits"][(tranche or 1) - 1]
                else:
                    if any(s["un"] > 0 for s in members) and tranche is None:
                        raise DataError(f"convention.toml: collectivité {c}: tranche absente")
                    forfait = vol["forfaits"][tranche - 1] if tranche is not None else Fraction(0)
            else:
                forfait = Fraction(0)
            tshares = {s["id"]: forfait * new(s) * s["mo"] / 12 for s in members}
            if vol["plafond"] is not None and not ctre:
                if vol["plafond_base"] == "enveloppe":
                    St = sum(tshares.values(), Fraction(0))
                    cap = vol["plafond"] * A
                    if St > cap:
                        tshares = {i: x * cap / St for i, x in tshares.items()}
                else:  # new hours <= plafond x existing hours of the group
                    Nn = sum((new(s) for s in members), Fraction(0))
                    capu = vol["plafond"] * U
                    if Nn > capu:
                        tshares = {i: x * capu / Nn for i, x in tshares.items()}
            paidN = allocate(tshares, bar.arrondi) if members else {}
            for s in members:
                if ctre:
                    s["CTRE"] = paidL.get(s["id"], 0) + paidN.get(s["id"], 0)
                else:
                    s["t_exact"] = tshares[s["id"]]
                    s["L"] = paidL.get(s["id"], 0)
                    s["N"] = paidN.get(s["id"], 0)
            row["L"] = sum(paidL.values())
            row["N"] = sum(paidN.values())
            row["C"] = C
            row["R"] = A - (row["L"] - C)
        recon.append(row)

    # ---- bonus trajectoire, per collectivité: P_ref = sum u, P_N = sum (u + n)
    tr = bar.trajectoire
    if tr is not None:
        by_c = {}
        for s in structures:
            if s["motif"] == "ELIGIBLE" and s["volet"] == tr["volet"]:
                by_c.setdefault(s["collectivite"], []).append(s)
        for c, members in by_c.items():
            p_ref = sum((s["u"] for s in members), Fraction(0))
            p_n = sum((s["u"] + s["un"] for s in members), Fraction(0))
            level = None
            if p_ref == 0:
                if p_n > 0:
                    level = len(tr["seuils"]) - 1
            else:
                for k, th in enumerate(tr["seuils"]):
                    if p_n >= p_ref * (1 + th):
                        level = k
            if level is None:
                continue
            amount = tr["montants"][level]
            shares = {s["id"]: amount * (s["u"] + s["un"]) * s["mo"] / 12 for s in members}
            paid = allocate(shares, bar.arrondi)
            for s in members:
                s["traj_exact"] = shares[s["id"]]
                s["T"] = paid[s["id"]]
            for r in recon:
                if r["collectivite"] == c and r["volet"] == tr["volet"]:
                    r["T"] = sum(paid.values())

    # ---- contributions, monthly (R65): N-1 scaled to the months of N, applied to every
    # structure, rounded half away from zero
    for s in structures:
        total = s["L"] + s["N"] + s["T"]
        s["total"] = total
        c1, b1 = s["c1"], s["b1"]
        c_ref = c1 * s["mo"] / 12
        b_ref = b1 * s["mo"] / 12
        if bar.ajustement == "neutre":
            cn = max(Fraction(0), c_ref - (s["L"] - b_ref))
        elif bar.ajustement == "aucun":
            cn = c_ref
        else:
            cn = max(Fraction(0), c_ref - (total - b_ref))
        cn = round_group_total(cn, "demi-haut")
        s["cn"] = cn
        s["fp1"] = c1 + b1
        s["fpn"] = cn + total
        s["var"] = s["fpn"] - s["fp1"]
        s["ecart"] = total - (s["s_exact"] + s["t_exact"] + s["traj_exact"])
    return recon


# --------------------------------------------------------------------------- output

def fmt_cents(x) -> str:
    x = Fraction(x)
    if x.denominator != 1:
        raise AssertionError(f"non-integer cents {x}")
    n = int(x)
    sign = "-" if n < 0 else ""
    n = abs(n)
    return f"{sign}{n // 100}.{n % 100:02d}"


def fmt_fixed(x: Fraction, places: int) -> str:
    """x displayed with `places` decimals, half away from zero."""
    q = Fraction(x) * 10 ** places
    n = math.floor(abs(q) + Fraction(1, 2))
    sign = "-" if (q < 0 and n != 0) else ""
    p = 10 ** places
    return f"{sign}{n // p}.{n % p:0{places}d}"


def render(structures, recon) -> str:
    out = io.StringIO()
    w = csv.writer(out, delimiter=",", lineterminator="\n")
    w.writerow(HEADER_STRUCTURES)
    total_caf = 0
    for s in sorted(structures, key=lambda s: bkey(s["id"])):
        total_caf += s["total"] + s["CTRE"]
        w.writerow([
            s["id"], s["nom"], s["type"], s["volet"], s["gestionnaire"], s["collectivite"],
            s["motif"], fmt_fixed(s["u"], 2), fmt_fixed(s["taux"] / 100, 4),
            fmt_cents(s["L"]), fmt_cents(s["N"]), fmt_cents(s["total"]),
            fmt_fixed(s["ecart"] / 100, 4),
            fmt_cents(s["c1"]), fmt_cents(s["cn"]), fmt_cents(s["fp1"]), fmt_cents(s["fpn"]),
            fmt_cents(s["var"]), fmt_cents(s["T"]), fmt_cents(s["CTRE"]),
        ])
    out.write("\n")
    w.writerow(HEADER_RAPPROCHEMENT)
    for r in recon:
        total_caf += r["P"]
        # identity A + C = L + R + P (R8); never a negative R
        assert r["A"] + r["C"] == r["L"] + r["R"] + r["P"]
        assert r["R"] >= 0 and r["C"] >= 0
        w.writerow([r["collectivite"], r["volet"], fmt_cents(r["A"]), fmt_cents(r["L"]),
                    fmt_cents(r["N"]), fmt_cents(r["C"]), fmt_cents(r["R"]), fmt_cents(r["P"]),
                    fmt_cents(r["T"])])
    # grand total check: equals the sum of its lines
    assert total_caf == sum(r["L"] + r["N"] + r["T"] + r["P"] for r in recon)
    assert sum(s["T"] for s in structures) == sum(r["T"] for r in recon)
    w.writerow(["TOTAL_CAF", fmt_cents(total_caf)])
    return out.getvalue()


def run(dossier, exercice=None, bareme=None) -> str:
    year, bar, colls, structures, charges = load_dossier(dossier, exercice, bareme)
    recon = compute(year, bar, colls, structures, charges)
    return render(structures, recon)


def main(argv=None):
    ap = argparse.ArgumentParser(description="Oracle bonus territoire CTG (référence Python)")
    ap.add_argument("dossier")
    ap.add_argument("--exercice", type=int)
    ap.add_argument("--bareme", help="bareme.toml overriding the dossier's one")
    try:
        a = ap.parse_args(argv)
    except SystemExit as e:
        sys.exit(2 if e.code else 0)
    if not os.path.isdir(a.dossier):
        print(f"{a.dossier}: dossier introuvable", file=sys.stderr)
        sys.exit(2)
    try:
        text = run(a.dossier, a.exercice, a.bareme)
    except DataError as e:
        print(f"erreur: {e}", file=sys.stderr)
        sys.exit(1)
    sys.stdout.buffer.write(text.encode("utf-8"))


if __name__ == "__main__":
    main()
