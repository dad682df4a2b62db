//! `bonus-ctg`: thin binary; all the work is in the library.

fn main() {
    bonus_ctg::limiter_memoire_retenue();
    std::process::exit(bonus_ctg::cli::principal());
}
