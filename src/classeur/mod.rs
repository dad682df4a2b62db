//! The workbook a finance officer fills in (`bonus-ctg modele`), and its way back to a
//! folder of text files (`bonus-ctg exporter`). Reading a workbook dossier is done by the
//! input layer (`lecture::classeur`), like every other input.
//!
//! One description per column ([`colonnes`]) drives the header notes, the drop-down lists,
//! the number formats and the `aide` sheet.

pub mod colonnes;
pub mod exporter;
pub mod modele;

pub use exporter::exporter;
pub use modele::{ecrire_modele, Contenu};
