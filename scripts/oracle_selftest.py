#!/usr/bin/env python3
"""Self-test of scripts/oracle.py on the hand-made dossiers of tests/oracle_cas/.

Every expected value below is computed by hand (arithmetic in the comments), from the rules,
not from the oracle's output.  Run:  python3 scripts/oracle_selftest.py
"""
from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import sys
import tempfile
from fractions import Fraction

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, ".."))
ORACLE = os.path.join(HERE, "oracle.py")
CAS = os.path.join(ROOT, "tests", "oracle_cas")
sys.path.insert(0, HERE)
import oracle  # noqa: E402

FAILS = []


def check(cond, msg):
    if not cond:
        FAILS.append(msg)
        print("FAIL:", msg)


def eq(got, exp, msg):
    check(got == exp, f"{msg}: attendu {exp!r}, obtenu {got!r}")


def run(dossier, *args, expect_rc=0):
    p = subprocess.run([sys.executable, ORACLE, dossier, *args], capture_output=True)
    eq(p.returncode, expect_rc, f"code retour de {os.path.basename(dossier)} {args} (stderr={p.stderr.decode()!r})")
    return p.stdout


def parse(out: bytes):
    """Parse the oracle output into (structures by id, recon by (c, v), total, raw text)."""
    assert not out.startswith(b"\xef\xbb\xbf"), "BOM in output"
    assert b"\r" not in out, "CR in output"
    text = out.decode("utf-8")
    blocks = text.split("\n\n")
    assert len(blocks) == 2, f"expected 2 blocks, got {len(blocks)}"
    rows1 = list(csv.reader(io.StringIO(blocks[0])))
    assert rows1[0] == oracle.HEADER_STRUCTURES, rows1[0]
    structs = {r[0]: dict(zip(rows1[0], r)) for r in rows1[1:]}
    ids = [r[0] for r in rows1[1:]]
    assert ids == sorted(ids, key=lambda s: s.encode()), "structures not sorted by id"
    rows2 = list(csv.reader(io.StringIO(blocks[1])))
    assert rows2[0] == oracle.HEADER_RAPPROCHEMENT, rows2[0]
    assert rows2[-1][0] == "TOTAL_CAF" and len(rows2[-1]) == 2
    recon = {(r[0], r[1]): dict(zip(rows2[0], r)) for r in rows2[1:-1]}
    keys = [(r[0], r[1]) for r in rows2[1:-1]]
    assert keys == sorted(keys, key=lambda k: (k[0].encode(), k[1].encode())), "recon not sorted"
    total = rows2[-1][1]
    assert text.endswith("\n")
    return structs, recon, total, text


def cents(s: str) -> int:
    return int(round(Fraction(s) * 100))


def generic_invariants(name, structs, recon, total):
    """Properties the rules (docs/regles.md) say MUST hold, whatever the case."""
    for sid, r in structs.items():
        # each line within one cent of its exact share
        check(abs(Fraction(r["ecart_arrondi"])) <= Fraction(1, 100), f"{name}/{sid}: |ecart_arrondi| > 0.01")
        # ineligible -> exactly 0
        if r["motif"] != "ELIGIBLE":
            for col in ("bonus_lissage", "bonus_nouvelles", "bonus_total", "unites_eligibles", "taux_unitaire"):
                check(Fraction(r[col]) == 0, f"{name}/{sid}: {col} non nul pour motif {r['motif']}")
        # bonus_total = lissage + nouvelles + trajectoire (R63); CTRE outside it (R64)
        check(cents(r["bonus_total"]) == cents(r["bonus_lissage"]) + cents(r["bonus_nouvelles"]) + cents(r["bonus_trajectoire"]), f"{name}/{sid}: total")
        check(cents(r["variation"]) == cents(r["financement_public_n"]) - cents(r["financement_public_n1"]), f"{name}/{sid}: variation")
        for col in ("bonus_lissage", "bonus_total", "contribution_collectivite_n"):
            check(len(r[col].split(".")[1]) == 2, f"{name}/{sid}: {col} format")
        check(len(r["taux_unitaire"].split(".")[1]) == 4, f"{name}/{sid}: taux format")
        check(len(r["ecart_arrondi"].split(".")[1]) == 4, f"{name}/{sid}: ecart format")
        check(r["motif"] in ("ELIGIBLE",) + oracle.MOTIFS_ORDER, f"{name}/{sid}: motif")
    for k, r in recon.items():
        A, L, N, C, R, P, T = (cents(r[c]) for c in oracle.HEADER_RAPPROCHEMENT[2:])
        check(A + C == L + R + P, f"{name}/{k}: A + C = L + R + P")
        check(R >= 0, f"{name}/{k}: non redistribué négatif")
        if k[1] == "CTRE":
            continue
        sL = sum(cents(s["bonus_lissage"]) for s in structs.values() if (s["collectivite"], s["volet"]) == k and s["motif"] == "ELIGIBLE")
        sN = sum(cents(s["bonus_nouvelles"]) for s in structs.values() if (s["collectivite"], s["volet"]) == k and s["motif"] == "ELIGIBLE")
        eq(L, sL, f"{name}/{k}: lissage_verse = somme des structures")
        eq(N, sN, f"{name}/{k}: nouvelles_versees = somme des structures")
    tot = sum(cents(s["bonus_total"]) + cents(s["bonus_ctre"]) for s in structs.values()) + sum(cents(r["verse_collectivite"]) for r in recon.values())
    eq(cents(total), tot, f"{name}: TOTAL_CAF = somme des lignes")


def row_order_independence(name):
    """Reversing the data rows of both CSV files must not change the output."""
    src = os.path.join(CAS, name)
    ref = run(src)
    with tempfile.TemporaryDirectory() as tmp:
        dst = os.path.join(tmp, name)
        shutil.copytree(src, dst)
        for f in ("structures.csv", "charges_n1.csv"):
            p = os.path.join(dst, f)
            raw = open(p, "rb").read()
            bom = raw.startswith(b"\xef\xbb\xbf")
            lines = raw[3 if bom else 0:].decode("utf-8").splitlines()
            lines = [lines[0]] + list(reversed([l for l in lines[1:] if l.strip()]))
            open(p, "wb").write((b"\xef\xbb\xbf" if bom else b"") + ("\n".join(lines) + "\n").encode("utf-8"))
        eq(run(dst), ref, f"{name}: résultat dépendant de l'ordre des lignes")


def S(name, *args):
    structs, recon, total, text = parse(run(os.path.join(CAS, name), *args))
    generic_invariants(name, structs, recon, total)
    return structs, recon, total


# =========================================================================== cases

def t_split3():
    # ';' delimiter, UTF-8 BOM, CRLF, an empty line, decimals "10", "10,00", "10.00",
    # type/financement in lower case, montant "100<NBSP>000,00 €", volet "eaje", extra column.
    # A = 100000.00 € = 10 000 000 c ; U = 10+10+10 = 30 ; m = 10 000 000/30 = 333 333.33.. c/place
    # s_i = 333 333.33.. × 10 = 3 333 333.33.. c each ; T = round(10 000 000) = 10 000 000
    # floors 3 333 333 × 3 = 9 999 999 ; 1 cent left ; remainders all 1/3 -> tie -> smaller id A.
    st, rc, tot = S("split3")
    eq(st["A"]["bonus_lissage"], "33333.34", "split3 A")
    eq(st["B"]["bonus_lissage"], "33333.33", "split3 B")
    eq(st["C"]["bonus_lissage"], "33333.33", "split3 C")
    eq(st["A"]["nom"], "Crèche A, centre", "split3 nom avec virgule (quoted)")
    # taux = 100000/30 = 3333.3333.. €
    eq(st["A"]["taux_unitaire"], "3333.3333", "split3 taux")
    # ecart A = 33333.34 − 33333.3333.. = +0.00666.. -> 0.0067 ; B = −0.00333.. -> -0.0033
    eq(st["A"]["ecart_arrondi"], "0.0067", "split3 ecart A")
    eq(st["B"]["ecart_arrondi"], "-0.0033", "split3 ecart B")
    eq(st["A"]["unites_eligibles"], "10.00", "split3 unites")
    # full year, no floor: Σ lissage = A exactly
    r = rc[("VILLE", "EAJE")]
    eq((r["charge_n1"], r["lissage_verse"], r["non_redistribue"], r["complement_plancher"]),
       ("100000.00", "100000.00", "0.00", "0.00"), "split3 recon")
    eq(tot, "100000.00", "split3 total")
    row_order_independence("split3")


def t_motifs():
    # Only E1 is eligible: U = 10, A = 40 000 € -> m = 4000 €/place, E1 = 40 000.00 €.
    st, rc, tot = S("motifs")
    exp = {
        "E1": "ELIGIBLE",
        "MC": "FINANCEMENT_INCOMPATIBLE",      # PAJE micro-crèche, EAJE requires PSU
        "BIS": "ANNEXE_2BIS",                  # also PAJE + soutien non: first rule wins
        "CS": "TYPE_SANS_VOLET",               # centre social: no volet
        "NS": "SANS_SOUTIEN_COLLECTIVITE",     # soutien "Non"
        "NS2": "FINANCEMENT_INCOMPATIBLE",     # PAJE + soutien false: rule 3 before rule 4
        "SIG": "COLLECTIVITE_NON_SIGNATAIRE",  # also mois 0: rule 5 before rule 6
        "FER": "FERMEE",                       # mois_ouverture 0
    }
    for sid, m in exp.items():
        eq(st[sid]["motif"], m, f"motifs {sid}")
    eq(st["MC"]["bonus_total"], "0.00", "motifs PAJE micro-crèche = 0")
    eq(st["MC"]["volet"], "EAJE", "motifs: volet gardé pour inéligible (R3)")
    eq(st["CS"]["volet"], "", "motifs: volet vide sans volet (R3)")
    eq(st["E1"]["bonus_lissage"], "40000.00", "motifs E1")
    eq(st["E1"]["taux_unitaire"], "4000.0000", "motifs E1 taux")
    # non-signataire collectivité: its 5000 € charge has U = 0 -> non redistribuable
    eq(rc[("AUTRE_COMMUNE", "EAJE")]["non_redistribue"], "5000.00", "motifs non signataire R")
    eq(rc[("VILLE", "EAJE")]["non_redistribue"], "0.00", "motifs VILLE R")
    eq(tot, "40000.00", "motifs total")
    row_order_independence("motifs")


def t_employeurs():
    # CRECHE-INTER: 20 places − 5 employer places = 15 ; CRECHE-VILLE: 10 ; U = 25
    # A = 30 000 + 20 000 = 50 000 € (two charge lines add up) ; m = 2000 €/place
    # INTER = 15 × 2000 = 30 000.00 ; VILLE = 10 × 2000 = 20 000.00
    st, rc, tot = S("employeurs")
    eq(st["CRECHE-INTER"]["unites_eligibles"], "15.00", "employeurs u")
    eq(st["CRECHE-INTER"]["bonus_lissage"], "30000.00", "employeurs INTER")
    eq(st["CRECHE-VILLE"]["bonus_lissage"], "20000.00", "employeurs VILLE")
    eq(st["CRECHE-INTER"]["taux_unitaire"], "2000.0000", "employeurs taux")
    eq(rc[("VILLE", "EAJE")]["charge_n1"], "50000.00", "employeurs A")


def t_nouvelles_t1():
    # exercice 2025, tranche 1 -> forfait 3600 € (barème 2021-01-01) ; 4 new places, 6 months
    # t = 3600 × 4 × 6/12 = 7200.00 €
    # lissage: A = 24 000, U = 10, m = 2400 ; s = 2400 × 10 × 6/12 = 12 000.00
    # R = A − (L − C) = 24 000 − 12 000 = 12 000 (months closed)
    st, rc, tot = S("nouvelles_t1")
    r = st["EAJE-NEUF"]
    eq(r["bonus_nouvelles"], "7200.00", "nouvelles t")
    eq(r["bonus_lissage"], "12000.00", "nouvelles s")
    # trajectoire (R63): P_ref = 10, P_N = 10 + 4 = 14, +40 % >= 12 % -> 300 € per place;
    # 300 × 14 × 6/12 = 2100.00 ; total 12 000 + 7200 + 2100 = 21 300
    eq(r["bonus_trajectoire"], "2100.00", "nouvelles trajectoire")
    eq(r["bonus_total"], "21300.00", "nouvelles total")
    eq(r["taux_unitaire"], "2400.0000", "nouvelles taux")
    k = rc[("QPV", "EAJE")]
    eq((k["lissage_verse"], k["nouvelles_versees"], k["non_redistribue"]), ("12000.00", "7200.00", "12000.00"), "nouvelles recon")
    eq(k["trajectoire_versee"], "2100.00", "nouvelles recon T")
    eq(tot, "21300.00", "nouvelles TOTAL_CAF")
    # exercice 2020 (forfait 2020-01-01: tranche 1 = 3100): t = 3100 × 4 × 6/12 = 6200.00
    st, rc, tot = S("nouvelles_t1", "--exercice", "2020")
    eq(st["EAJE-NEUF"]["bonus_nouvelles"], "6200.00", "nouvelles 2020")


def t_plancher():
    # bareme.toml: plancher 1500 (debut 2020-01-01, replaces built-in 0 at same date),
    # plancher 9999 from 2025-07-01 (not in force for 2025: R1), revalorisation "0.02" short form.
    # A = 10 000, U = 6 + 4 = 10 -> m = 1000 < 1500 -> m_eff = 1500 × 1.02 = 1530 €
    # P6 = 1530 × 6 = 9180.00 ; P4 = 1530 × 4 = 6120.00 ; L = 15 300
    # C = round(15 300 − 1000 × 10) = 5300 ; R = 10 000 − (15 300 − 5300) = 0
    st, rc, tot = S("plancher")
    eq(st["P6"]["taux_unitaire"], "1530.0000", "plancher taux")
    eq(st["P6"]["bonus_lissage"], "9180.00", "plancher P6")
    eq(st["P4"]["bonus_lissage"], "6120.00", "plancher P4")
    k = rc[("VILLE", "EAJE")]
    eq((k["lissage_verse"], k["complement_plancher"], k["non_redistribue"]), ("15300.00", "5300.00", "0.00"), "plancher recon")
    # exercice 2026: plancher 9999 in force -> m_eff = 9999 × 1.02 = 10 198.98 ; P6 = 61 193.88 ; P4 = 40 795.92
    # C = 101 989.80 − 10 000 = 91 989.80
    st, rc, tot = S("plancher", "--exercice", "2026")
    eq(st["P6"]["taux_unitaire"], "10198.9800", "plancher 2026 taux")
    eq(st["P6"]["bonus_lissage"], "61193.88", "plancher 2026 P6")
    eq(st["P4"]["bonus_lissage"], "40795.92", "plancher 2026 P4")
    eq(rc[("VILLE", "EAJE")]["complement_plancher"], "91989.80", "plancher 2026 C")


def t_alsh_plafond():
    # bareme.toml: ALSH forfaits [1000, 800, 600] ; tranche 1 ; plafond 0.25 (built-in)
    # t1 = 1000 × 4 = 4000 ; t2 = 1000 × 3 = 3000 ; Σt = 7000 > 0.25 × 20 000 = 5000
    # factor 5000/7000 = 5/7 : t1 = 2857.142857.. ; t2 = 2142.857142..
    # cents: 285 714.2857 / 214 285.7143 ; floors sum 499 999 ; T = 500 000 ; 1 cent -> largest
    # remainder (.7143) -> P2.  P1 = 2857.14, P2 = 2142.86
    # lissage: m = 20 000 / 100 = 200 ; 50 × 200 = 10 000 each
    # exercice 2024: the money cap of v1 (plafond_base = enveloppe before 2025, R62)
    st, rc, tot = S("alsh_plafond", "--exercice", "2024")
    eq(st["P1"]["bonus_nouvelles"], "2857.14", "alsh P1 t")
    eq(st["P2"]["bonus_nouvelles"], "2142.86", "alsh P2 t")
    eq(st["P1"]["bonus_lissage"], "10000.00", "alsh P1 s")
    eq(rc[("VILLE", "ALSH")]["nouvelles_versees"], "5000.00", "alsh N = 25 % de A")
    # ecart P1 = 2857.14 − 2857.142857.. = −0.002857 -> -0.0029
    eq(st["P1"]["ecart_arrondi"], "-0.0029", "alsh ecart P1")
    eq(tot, "25000.00", "alsh total")
    row_order_independence("alsh_plafond")
    # exercice 2025: the cap applies to hours (R62): U = 50 + 50 = 100 h, new 4 + 3 = 7 h
    # <= 0.25 × 100 = 25 h: not binding -> t1 = 4000, t2 = 3000, total 27 000
    st, rc, tot = S("alsh_plafond")
    eq((st["P1"]["bonus_nouvelles"], st["P2"]["bonus_nouvelles"]), ("4000.00", "3000.00"), "alsh 2025 t")
    eq(tot, "27000.00", "alsh 2025 total")
    # alsh_heures (2025): existing 40 + 60 = 100 h, new 30 + 10 = 40 h > 25 h -> every new
    # hour × 25/40 = 5/8 ; forfait 1000 €/h (bareme.toml) : t1 = 1000 × 30 × 5/8 = 18 750,
    # t2 = 1000 × 10 × 5/8 = 6250 ; lissage 0.15 €/h floor: A = 10, m = 0.10 < 0.15 ->
    # s1 = 0.15 × 40 = 6.00, s2 = 0.15 × 60 = 9.00 ; C = 15 − 10 = 5 ; R = 10 − (15 − 5) = 0
    st, rc, tot = S("alsh_heures")
    eq((st["H1"]["bonus_nouvelles"], st["H2"]["bonus_nouvelles"]), ("18750.00", "6250.00"), "heures t")
    eq((st["H1"]["bonus_lissage"], st["H2"]["bonus_lissage"]), ("6.00", "9.00"), "heures plancher")
    eq(st["H1"]["taux_unitaire"], "0.1500", "heures taux")
    r = rc[("VILLE", "ALSH")]
    eq((r["complement_plancher"], r["non_redistribue"]), ("5.00", "0.00"), "heures recon")
    eq(tot, "25015.00", "heures total")


def t_grille():
    # Grids (R60) and CTRE (R64), exercice 2025, no trajectoire.
    # PETITE (8 000 hab.): U = 10 + 16 (P2: 20 − 4 employer places) = 26, m = 24 000/26 ≈ 923,08
    #   < 1 500 -> column 0, row 0: floor 1 300, revaluation 5 % -> m_eff = 1 365.
    #   P1 1 365 × 10 = 13 650 ; P2 1 365 × 16 × 6/12 = 10 920 ; L = 24 570.
    #   C = 24 570 − (24 000/26) × 18 = 24 570 − 16 615,38 = 7 954,62 ; R = 7 384,62.
    # GRANDE (60 000 hab.): m = 48 000/30 = 1 600 >= 1 500 -> row 1, column 1: 0 and 0.
    # CTRE PETITE: 3 000 over P2's 4 employer places (6 months): 750 × 4 × 6/12 = 1 500 ;
    #   1 new employer place: 2 800 × 6/12 = 1 400 -> bonus_ctre 2 900 ; R = 1 500.
    st, rc, tot = S("grille")
    eq(st["P1"]["taux_unitaire"], "1365.0000", "grille taux PETITE")
    eq(st["G1"]["taux_unitaire"], "1600.0000", "grille taux GRANDE")
    eq((st["P1"]["bonus_lissage"], st["P2"]["bonus_lissage"]), ("13650.00", "10920.00"), "grille lissage")
    r = rc[("PETITE", "EAJE")]
    eq((r["complement_plancher"], r["non_redistribue"]), ("7954.62", "7384.62"), "grille recon")
    eq(st["P2"]["bonus_ctre"], "2900.00", "grille ctre")
    r = rc[("PETITE", "CTRE")]
    eq((r["lissage_verse"], r["nouvelles_versees"], r["non_redistribue"]), ("1500.00", "1400.00", "1500.00"), "grille ctre recon")
    eq(tot, "75470.00", "grille total")


def t_u_zero():
    # RPE-1 eligible with 0 units: U = 0, A = 5000 -> nothing paid, R = 5000
    # AUTRE (lower case in file, unknown volet): R = 1000.50 ; PILOTAGE: paid to collectivité 30 000
    st, rc, tot = S("u_zero")
    eq(st["RPE-1"]["motif"], "ELIGIBLE", "u_zero motif")
    eq(st["RPE-1"]["bonus_total"], "0.00", "u_zero RPE paid")
    eq(st["RPE-1"]["taux_unitaire"], "0.0000", "u_zero taux (R6: 0 quand U = 0)")
    eq(st["COORD"]["motif"], "ANNEXE_2BIS", "u_zero COORD")
    r = rc[("EPCI", "RPE")]
    eq((r["charge_n1"], r["lissage_verse"], r["non_redistribue"], r["verse_collectivite"]),
       ("5000.00", "0.00", "5000.00", "0.00"), "u_zero RPE recon")
    r = rc[("EPCI", "AUTRE")]
    eq((r["charge_n1"], r["non_redistribue"], r["verse_collectivite"]), ("1000.50", "1000.50", "0.00"), "u_zero AUTRE")
    r = rc[("EPCI", "PILOTAGE")]
    eq((r["charge_n1"], r["lissage_verse"], r["non_redistribue"], r["verse_collectivite"]),
       ("30000.00", "0.00", "0.00", "30000.00"), "u_zero PILOTAGE")
    eq(tot, "30000.00", "u_zero TOTAL_CAF = 0 + 30 000")


def t_contributions():
    # Same data, three modes.  A = 30 000, U = 10 (S1) + 5 (S3) = 15 (S2 is annexe 2 bis)
    # m = 2000 : S1 lissage 20 000, S3 lissage 10 000 ; S1 new places: tranche 2 (3100) × 2 = 6200
    # S1: c1 = 50 000, b1 = 0 ; S2: c1 = 10 000, b1 = 5000, bonus 0 ; S3: c1 = 1000, b1 = 0
    # neutre:  S1 cn = max(0, 50 000 − (20 000 − 0)) = 30 000 ; fpn = 30 000 + 26 200 = 56 200 ; var 6200
    #          S2 cn = max(0, 10 000 − (0 − 5000)) = 15 000 ; fp1 = 15 000 ; fpn = 15 000 ; var 0
    #          S3 cn = max(0, 1000 − 10 000) = 0 ; fpn = 10 000 ; var 9000
    # aucun:   S1 cn 50 000, fpn 76 200, var 26 200 ; S2 cn 10 000, fpn 10 000, var −5000 ;
    #          S3 cn 1000, fpn 11 000, var 10 000
    # integral: S1 cn = 50 000 − 26 200 = 23 800, fpn 50 000, var 0 ; S2 15 000 / var 0 ;
    #          S3 cn 0, fpn 10 000, var 9000
    # v2, bonus trajectoire (R63): P_ref = 10 + 5 = 15, P_N = 12 + 5 = 17 (+13,3 % >= 12 %)
    # -> 300 € per place: S1 300 × 12 = 3600, S3 300 × 5 = 1500 ; totals S1 26 200 + 3600 =
    # 29 800, S3 10 000 + 1500 = 11 500 ; Caf 36 200 + 5100 = 41 300.
    # neutre:  S1 cn 30 000 (lissage only), fpn 59 800, var 9800 ; S3 cn 0, fpn 11 500, var 10 500
    # aucun:   S1 50 000, fpn 79 800, var 29 800 ; S3 1000, fpn 12 500, var 11 500
    # integral: S1 cn = 50 000 − 29 800 = 20 200, fpn 50 000, var 0 ; S3 0, 11 500, 10 500
    exp = {
        "neutre": {"S1": ("30000.00", "59800.00", "9800.00"), "S2": ("15000.00", "15000.00", "0.00"),
                   "S3": ("0.00", "11500.00", "10500.00")},
        "aucun": {"S1": ("50000.00", "79800.00", "29800.00"), "S2": ("10000.00", "10000.00", "-5000.00"),
                  "S3": ("1000.00", "12500.00", "11500.00")},
        "integral": {"S1": ("20200.00", "50000.00", "0.00"), "S2": ("15000.00", "15000.00", "0.00"),
                     "S3": ("0.00", "11500.00", "10500.00")},
    }
    for mode, rows in exp.items():
        st, rc, tot = S(f"contrib_{mode}")
        eq(st["S1"]["bonus_lissage"], "20000.00", f"contrib {mode} S1 L")
        eq(st["S1"]["bonus_nouvelles"], "6200.00", f"contrib {mode} S1 N")
        eq(st["S2"]["financement_public_n1"], "15000.00", f"contrib {mode} S2 fp1")
        for sid, (cn, fpn, var) in rows.items():
            got = (st[sid]["contribution_collectivite_n"], st[sid]["financement_public_n"], st[sid]["variation"])
            eq(got, (cn, fpn, var), f"contrib {mode} {sid}")
        eq(tot, "41300.00", f"contrib {mode} total")


def t_arrondi():
    # No charge, new places only: tranche 2 = 3100 € × 1 place × 1/12 = 258.3333.. € each (A, B)
    # Σ = 516.666.. € = 51 666.66.. c
    # demi-haut:  T = 51 667 ; floors 25 833 × 2 = 51 666 ; 1 cent, tie -> A : A 258.34, B 258.33
    # troncature: T = 51 666 ; no cent left : A 258.33, B 258.33
    st, rc, tot = S("arrondi_demi_haut")
    eq((st["A"]["bonus_nouvelles"], st["B"]["bonus_nouvelles"]), ("258.34", "258.33"), "arrondi demi-haut")
    # trajectoire (R63): P_ref = 0 and P_N = 2 > 0 -> top level, 300 × 1 × 1/12 = 25.00 each
    eq((st["A"]["bonus_trajectoire"], st["B"]["bonus_trajectoire"]), ("25.00", "25.00"), "arrondi trajectoire")
    eq(tot, "566.67", "arrondi demi-haut total")
    st, rc, tot = S("arrondi_troncature")
    eq((st["A"]["bonus_nouvelles"], st["B"]["bonus_nouvelles"]), ("258.33", "258.33"), "arrondi troncature")
    eq(tot, "566.66", "arrondi troncature total")


def t_parsing_units():
    pd = oracle.parse_decimal
    for raw, exp in [("1234.56", "1234.56"), ("1234,56", "1234.56"), ("1 234,56", "1234.56"),
                     ("1\u00a0234,56", "1234.56"), ("1\u202f234,5 €", "1234.5"), ("1.234,56", "1234.56"),
                     ("12", "12"), ("0", "0"), ("1 234 567", "1234567"), ("3€", "3")]:
        eq(pd(raw, "t"), Fraction(exp), f"parse_decimal {raw!r}")
    for bad in ["1.234", "1,234.56", "-5", "1.2.3", "abc", "12,345", "1 23,4", "1.234.567"]:
        try:
            pd(bad, "t")
            check(False, f"parse_decimal {bad!r} should fail")
        except oracle.DataError:
            pass
    for raw, exp in [("oui", True), ("NON", False), ("True", True), ("false", False), ("1", True), ("0", False)]:
        eq(oracle.parse_bool(raw, "t"), exp, f"parse_bool {raw!r}")
    for raw, exp in [("2", "2"), ("2bis", "2bis"), ("2 bis", "2bis"), ("2 BIS", "2bis")]:
        eq(oracle.parse_annexe(raw, "t"), exp, f"parse_annexe {raw!r}")
    # allocation: largest remainders, ties to smaller id in byte order ("Z" < "a" < "é")
    paid = oracle.allocate({"a": Fraction(1, 3), "Z": Fraction(1, 3), "é": Fraction(1, 3)}, "demi-haut")
    eq(paid, {"Z": 1, "a": 0, "é": 0}, "allocate tie byte order")
    eq(oracle.fmt_fixed(Fraction(-1, 20000), 4), "-0.0001", "fmt half away from zero (neg)")
    eq(oracle.fmt_fixed(Fraction(1, 20000), 4), "0.0001", "fmt half away from zero (pos)")
    eq(oracle.fmt_fixed(Fraction(-1, 30000), 4), "0.0000", "fmt no negative zero")


def t_errors_and_encoding():
    # usage error -> 2 ; invalid data -> 1 ; windows-1252 input accepted
    p = subprocess.run([sys.executable, ORACLE], capture_output=True)
    eq(p.returncode, 2, "usage sans dossier")
    with tempfile.TemporaryDirectory() as tmp:
        d = os.path.join(tmp, "d")
        shutil.copytree(os.path.join(CAS, "employeurs"), d)
        txt = open(os.path.join(d, "structures.csv"), encoding="utf-8").read()
        open(os.path.join(d, "structures.csv"), "wb").write(txt.encode("cp1252"))
        st, rc, tot, _ = parse(run(d))
        eq(st["CRECHE-VILLE"]["nom"], "Crèche municipale", "cp1252 décodé")
        open(os.path.join(d, "structures.csv"), "w", encoding="utf-8").write(
            txt.replace("PSU,20,5", "PSU,20,25"))  # employer units > existing units
        run(d, expect_rc=1)
        open(os.path.join(d, "structures.csv"), "w", encoding="utf-8").write(txt.replace("VILLE,PSU,10", "INCONNUE,PSU,10"))
        run(d, expect_rc=1)


def main():
    tests = [t_grille, t_split3, t_motifs, t_employeurs, t_nouvelles_t1, t_plancher, t_alsh_plafond, t_u_zero,
             t_contributions, t_arrondi, t_parsing_units, t_errors_and_encoding]
    for t in tests:
        n = len(FAILS)
        try:
            t()
        except Exception as e:  # report and continue
            FAILS.append(f"{t.__name__}: exception {e!r}")
            print("FAIL:", t.__name__, repr(e))
        print(("ok   " if len(FAILS) == n else "FAIL ") + t.__name__)
    if FAILS:
        print(f"\n{len(FAILS)} échec(s)")
        sys.exit(1)
    print("\ntous les tests de l'oracle passent")


if __name__ == "__main__":
    main()
