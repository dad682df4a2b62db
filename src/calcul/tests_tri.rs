use super::*;
use proptest::prelude::*;

fn structure(id: String) -> Structure {
    Structure {
        id: id.into(),
        annexe: Annexe::Deux,
        type_structure: TypeStructure::Eaje,
        nom: Default::default(),
        adresse: Default::default(),
        gestionnaire: Default::default(),
        collectivite: Default::default(),
        financement: Financement::Psu,
        soutien_collectivite: true,
        unites_existantes: Unites(0),
        unites_nouvelles: Unites(0),
        unites_employeurs: Unites(0),
        unites_employeurs_nouvelles: Unites(0),
        mois_ouverture: 12,
        contribution_collectivite_n1: Montant(0),
        bonus_n1: Montant(0),
        ligne: 2,
    }
}

proptest! {
    /// The order by integer keys is that of a stable sort by bytes (long common prefixes,
    /// ids shorter and longer than 32 bytes, NUL bytes, duplicates, non-ASCII).
    #[test]
    fn ordre_comme_tri_stable(ids in prop::collection::vec(
        prop_oneof![
            "[a-c]{0,3}",
            "EPCI-0000[0-2]-(EAJE|PERI)-000[0-9]",
            "x{30,34}[ab]?",
            "[\\x00a\\u{e9}]{0,3}",
        ],
        0..60,
    )) {
        let structures: Vec<Structure> = ids.into_iter().map(structure).collect();
        let mut attendu: Vec<usize> = (0..structures.len()).collect();
        attendu.sort_by(|&a, &b| structures[a].id.as_bytes().cmp(structures[b].id.as_bytes()));
        prop_assert_eq!(ordre_par_id(&structures), attendu);
    }
}
