//! `bonus-ctg`: thin binary; all the work is in the library.

/// The system's allocator, large blocks on huge pages ([`bonus_ctg::memoire`]).
#[global_allocator]
static ALLOCATEUR: bonus_ctg::memoire::Allocateur = bonus_ctg::memoire::Allocateur;

fn main() {
    bonus_ctg::limiter_memoire_retenue();
    std::process::exit(bonus_ctg::cli::principal());
}
