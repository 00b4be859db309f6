//! The plan of each person: which benefits, rights, amounts, dates, payees, and which of their
//! rows are bad on purpose. Cheap to draw (no text, no identifiers), so every file that
//! mentions people walks them all again with `Walker` rather than keeping them in memory.

use crate::bad_rows::{FileId, PayeeFlaw, PersonFlaw, RightFlaw, Schedule};
use crate::communes::{CommuneTable, commune};
use crate::dates::{Day, MonthNo};
use crate::pool::Pool;
use crate::rng::{Aspect, Rng, Streams};
use crate::sites::Mds;
use relais_core::records::{Benefit, RightStatus};
use std::io;

/// Everything shared by the passes over people.
pub struct Context {
    pub streams: Streams,
    pub today: Day,
    pub size: u32,
    pub bad_per_mille: u32,
    /// Agents asked for (`None`: one per 20 people).
    pub agents: Option<u64>,
    pub communes: CommuneTable,
    pub pool: Pool,
}

impl Context {
    pub fn new(config: &crate::DemoConfig) -> io::Result<Context> {
        let streams = Streams::new(config.seed);
        let communes = CommuneTable::new();
        let pool = Pool::new(&streams, &communes, config.size)?;
        Ok(Context {
            today: Day::from_jiff(config.today),
            size: config.size,
            bad_per_mille: config.bad_per_mille,
            agents: config.agents,
            streams,
            communes,
            pool,
        })
    }

    pub fn schedule(&self, file: FileId, flavours: usize) -> Schedule {
        Schedule::new(&self.streams, file, self.bad_per_mille, flavours)
    }

    /// `D0000123`: the file number (dossier) of person `number` (1-based).
    pub fn dossier(number: u64) -> String {
        format!("D{number:07}")
    }

    /// `TP0000123`: the person as a payee.
    pub fn person_payee_id(number: u64) -> String {
        format!("TP{number:07}")
    }

    /// `DR0000123-1`: right `k` (1-based) of person `number`.
    pub fn right_id(number: u64, k: u8) -> String {
        format!("DR{number:07}-{k}")
    }
}

/// Why a person holds rights: the benefits follow from it, and the age range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    /// Elderly at home: APA à domicile.
    Home,
    /// Elderly in an EHPAD: APA en établissement, often ASH too.
    Establishment,
    /// In an EHPAD, ASH only.
    AshOnly,
    /// Adult with a disability: PCH, sometimes RSA.
    Disability,
    /// RSA.
    Rsa,
}

/// Who a right is paid to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PayeeRef {
    Own,
    Guardian(usize),
    Service(usize),
    Establishment(usize),
    /// The person's deliberately bad second payee row.
    Rejected,
}

#[derive(Debug, Clone)]
pub struct RightPlan {
    /// 1-based rank among the person's rights.
    pub k: u8,
    pub benefit: Benefit,
    pub amount: i64,
    pub start: Day,
    pub end: Day,
    pub status: RightStatus,
    pub payee: PayeeRef,
    pub imputation: bool,
    pub flaw: Option<RightFlaw>,
    /// The amount paid three months ago, when it was different (a revision since).
    pub earlier_amount: Option<i64>,
    /// For a suspended right, the first month not paid.
    pub suspended_from: Option<MonthNo>,
}

#[derive(Debug, Clone)]
pub struct PersonPlan {
    pub index: u64,
    /// 1-based, in the dossier number.
    pub number: u64,
    pub profile: Profile,
    pub female: bool,
    pub birth: Day,
    pub commune: usize,
    pub mds: Mds,
    /// For people living in an establishment, its index in the pool (their address).
    pub lives_in: Option<usize>,
    pub flaw: Option<PersonFlaw>,
    pub deceased: Option<Day>,
    pub rights: Vec<RightPlan>,
    /// A `personne` payee row is written for them.
    pub own_payee: bool,
    /// An extra, bad payee row nobody is paid through.
    pub stray_payee: Option<PayeeFlaw>,
    /// A bad payee row that a bad right points at.
    pub rejected_payee: Option<PayeeFlaw>,
}

fn age_range(profile: Profile, rng: &mut Rng) -> (i64, i64) {
    match profile {
        Profile::Home if rng.per_mille(120) => (60, 74),
        Profile::Home if rng.per_mille(30) => (96, 101),
        Profile::Home => (75, 95),
        Profile::Establishment if rng.per_mille(150) => (65, 79),
        Profile::Establishment => (80, 100),
        Profile::AshOnly => (60, 99),
        Profile::Disability => (20, 59),
        Profile::Rsa => (25, 64),
    }
}

/// Monthly amounts in cents, by benefit (APA by dependency level, GIR 1 the heaviest).
fn amount(benefit: Benefit, rng: &mut Rng) -> i64 {
    let euros = match benefit {
        Benefit::ApaDom => match rng.below(100) {
            0..5 => rng.between(1100, 1900),
            5..25 => rng.between(700, 1500),
            25..55 => rng.between(400, 1100),
            _ => rng.between(100, 700),
        },
        Benefit::ApaEtab => rng.between(200, 800),
        Benefit::Pch if rng.per_mille(200) => rng.between(1500, 4000),
        Benefit::Pch => rng.between(100, 1500),
        Benefit::Ash => rng.between(800, 2500),
        Benefit::Rsa => rng.between(400, 1000),
    };
    euros * 100 + rng.between(0, 99)
}

/// A month end, or the day itself for one right in five (rights mostly end on a month end).
fn month_end_mostly(day: Day, rng: &mut Rng) -> Day {
    if rng.per_mille(800) {
        day.month().last_day()
    } else {
        day
    }
}

fn right(ctx: &Context, rng: &mut Rng, k: u8, benefit: Benefit, payee: PayeeRef) -> RightPlan {
    let today = ctx.today;
    let mut start = today.plus(-rng.between(365, 2920));
    if rng.per_mille(800) {
        start = start.month().first_day();
    }
    let x = rng.below(1000);
    let status = match x {
        0..20 => RightStatus::Clos,
        20..50 => RightStatus::Suspendu,
        _ => RightStatus::EnPaiement,
    };
    let end = match status {
        RightStatus::Clos => {
            let end = month_end_mostly(today.plus(-rng.between(1, 365)), rng);
            end.max(start.plus(60))
        }
        _ => month_end_mostly(today.plus(rng.between(1, 548)), rng),
    };
    let suspended_from = (status == RightStatus::Suspendu)
        .then(|| today.month().plus(-1 - rng.between(0, 1) as i32));
    let amount = amount(benefit, rng);
    let earlier_amount = rng
        .per_mille(40)
        .then(|| amount * rng.between(95, 99) / 100);
    RightPlan {
        k,
        benefit,
        amount,
        start,
        end,
        status,
        payee,
        imputation: rng.per_mille(400),
        flaw: None,
        earlier_amount,
        suspended_from,
    }
}

/// Draws person `index`'s plan, before the bad-row schedules are applied.
fn draw(ctx: &Context, index: u64) -> PersonPlan {
    let mut rng = ctx.streams.stream(Aspect::Plan, index);
    let profile = match rng.below(1000) {
        0..280 => Profile::Home,
        280..430 => Profile::Establishment,
        430..460 => Profile::AshOnly,
        460..600 => Profile::Disability,
        _ => Profile::Rsa,
    };
    let female = match profile {
        Profile::Home | Profile::Establishment | Profile::AshOnly => rng.per_mille(700),
        Profile::Disability => rng.per_mille(500),
        Profile::Rsa => rng.per_mille(550),
    };
    let (lo, hi) = age_range(profile, &mut rng);
    let age = rng.between(lo, hi);
    // At least `age` whole years before today: 365 days a year, a leap day every four, and
    // two days more.
    let birth = ctx.today.plus(-(age * 365 + age / 4 + rng.between(2, 360)));
    let in_establishment = matches!(profile, Profile::Establishment | Profile::AshOnly);
    let (commune_index, lives_in) = if in_establishment {
        let home = ctx.communes.draw(&mut rng);
        let e = ctx.pool.establishment_near(&mut rng, commune(home).mds);
        let c = ctx.pool.establishments.get(e).map_or(home, |s| s.commune);
        (c, Some(e))
    } else {
        (ctx.communes.draw(&mut rng), None)
    };
    let mds = commune(commune_index).mds;
    let elderly = matches!(
        profile,
        Profile::Home | Profile::Establishment | Profile::AshOnly
    );
    let deceased = rng
        .per_mille(if elderly { 12 } else { 1 })
        .then(|| ctx.today.plus(-rng.between(5, 120)));
    let guardian = rng
        .per_mille(50)
        .then(|| rng.index(ctx.pool.guardians.len()));
    let own = |rng: &mut Rng| match guardian {
        Some(g) if rng.per_mille(950) => PayeeRef::Guardian(g),
        _ => PayeeRef::Own,
    };
    let mut rights = Vec::with_capacity(3);
    let mut add = |rng: &mut Rng, benefit: Benefit, payee: PayeeRef| {
        let k = rights.len() as u8 + 1;
        rights.push(right(ctx, rng, k, benefit, payee));
    };
    match profile {
        Profile::Home => {
            let payee = if rng.per_mille(550) {
                PayeeRef::Service(ctx.pool.service_near(&mut rng, mds))
            } else {
                own(&mut rng)
            };
            add(&mut rng, Benefit::ApaDom, payee);
        }
        Profile::Establishment => {
            let e = PayeeRef::Establishment(lives_in.unwrap_or(0));
            add(&mut rng, Benefit::ApaEtab, e);
            if rng.per_mille(800) {
                add(&mut rng, Benefit::Ash, e);
            }
        }
        Profile::AshOnly => {
            add(
                &mut rng,
                Benefit::Ash,
                PayeeRef::Establishment(lives_in.unwrap_or(0)),
            );
        }
        Profile::Disability => {
            let payee = if rng.per_mille(150) {
                PayeeRef::Service(ctx.pool.service_near(&mut rng, mds))
            } else {
                own(&mut rng)
            };
            add(&mut rng, Benefit::Pch, payee);
            if rng.per_mille(120) {
                let p = own(&mut rng);
                add(&mut rng, Benefit::Pch, p);
            }
            // RSA from 25 (CASF L262-4).
            if rng.per_mille(300) && age >= 25 {
                let p = own(&mut rng);
                add(&mut rng, Benefit::Rsa, p);
            }
        }
        Profile::Rsa => {
            let p = own(&mut rng);
            add(&mut rng, Benefit::Rsa, p);
            if rng.per_mille(50) && age < 60 {
                let p = own(&mut rng);
                add(&mut rng, Benefit::Pch, p);
            }
        }
    }
    PersonPlan {
        index,
        number: index + 1,
        profile,
        female,
        birth,
        commune: commune_index,
        mds,
        lives_in,
        flaw: None,
        deceased,
        own_payee: rights.iter().any(|r| r.payee == PayeeRef::Own),
        rights,
        stray_payee: None,
        rejected_payee: None,
    }
}

/// Walks the people in order, with their bad rows placed. Every pass uses one, so the
/// counters of rights and payee rows (which place the bad rows) are the same in every pass.
pub struct Walker<'c> {
    ctx: &'c Context,
    next: u64,
    people: Schedule,
    payees: Schedule,
    rights: Schedule,
    payee_rows: u64,
    right_rows: u64,
}

impl<'c> Walker<'c> {
    pub fn new(ctx: &'c Context) -> Walker<'c> {
        Walker {
            ctx,
            next: 0,
            people: ctx.schedule(FileId::People, PersonFlaw::ALL.len()),
            payees: ctx.schedule(FileId::Payees, PayeeFlaw::ALL.len()),
            rights: ctx.schedule(FileId::Rights, RightFlaw::ALL.len()),
            payee_rows: 0,
            right_rows: 0,
        }
    }
}

impl Iterator for Walker<'_> {
    type Item = PersonPlan;

    fn next(&mut self) -> Option<PersonPlan> {
        let index = self.next;
        if index >= u64::from(self.ctx.size) {
            return None;
        }
        self.next += 1;
        let mut plan = draw(self.ctx, index);
        if let Some(f) = self.people.at(index) {
            let mut flaw = PersonFlaw::ALL[f];
            // A duplicate repeats the dossier of the person before, who must be good for the
            // second row to be the one rejected.
            if flaw == PersonFlaw::DuplicateDossier
                && (index == 0 || self.people.at(index - 1).is_some())
            {
                flaw = PersonFlaw::NirKey;
            }
            // A bad person row has no rights: the checker would reject them all in cascade,
            // and the share of bad rights would no longer be what was asked.
            plan.flaw = Some(flaw);
            plan.rights.clear();
            plan.own_payee = false;
            return Some(plan);
        }
        if plan.own_payee {
            if let Some(f) = self.payees.at(self.payee_rows) {
                plan.stray_payee = Some(PayeeFlaw::ALL[f]);
            }
            self.payee_rows += 1;
        }
        for r in &mut plan.rights {
            if let Some(f) = self.rights.at(self.right_rows) {
                let flaw = RightFlaw::ALL[f];
                if flaw == RightFlaw::PayeeRejected {
                    r.payee = PayeeRef::Rejected;
                    let rejecting = PayeeFlaw::REJECTING;
                    plan.rejected_payee =
                        Some(rejecting[(self.right_rows % rejecting.len() as u64) as usize]);
                }
                r.flaw = Some(flaw);
            }
            self.right_rows += 1;
        }
        Some(plan)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(size: u32, bad: u32) -> Context {
        Context::new(&crate::DemoConfig {
            size,
            seed: 9,
            today: jiff::civil::date(2026, 11, 22),
            bad_per_mille: bad,
            agents: None,
        })
        .expect("context")
    }

    #[test]
    fn ages_follow_the_benefits() {
        let c = ctx(3000, 0);
        for p in Walker::new(&c) {
            let age = p.birth.years_until(c.today);
            for r in &p.rights {
                let ok = match r.benefit {
                    Benefit::ApaDom | Benefit::ApaEtab | Benefit::Ash => age >= 60,
                    Benefit::Pch => (20..=59).contains(&age),
                    Benefit::Rsa => (25..=64).contains(&age),
                };
                assert!(ok, "{:?} at {age}", r.benefit);
                assert!(r.start < r.end && r.start < c.today);
            }
        }
    }

    #[test]
    fn about_1_2_rights_per_person_and_statuses() {
        let c = ctx(20_000, 0);
        let (mut rights, mut suspended, mut closed) = (0usize, 0usize, 0usize);
        for p in Walker::new(&c) {
            rights += p.rights.len();
            suspended += p
                .rights
                .iter()
                .filter(|r| r.status == RightStatus::Suspendu)
                .count();
            closed += p
                .rights
                .iter()
                .filter(|r| r.status == RightStatus::Clos)
                .count();
        }
        let per_person = rights as f64 / 20_000.0;
        assert!((1.12..1.28).contains(&per_person), "{per_person}");
        let s = suspended as f64 / rights as f64;
        let cl = closed as f64 / rights as f64;
        assert!((0.02..0.04).contains(&s), "{s}");
        assert!((0.012..0.03).contains(&cl), "{cl}");
    }

    #[test]
    fn walks_are_identical() {
        let c = ctx(2000, 10);
        let a: Vec<_> = Walker::new(&c).map(|p| format!("{p:?}")).collect();
        let b: Vec<_> = Walker::new(&c).map(|p| format!("{p:?}")).collect();
        assert_eq!(a, b);
        assert_eq!(a.len(), 2000);
    }
}
