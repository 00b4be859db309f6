//! Purchase orders (bons de commande, issue #23): the order's number, gap-free per exercice
//! (`BC-2026-000123`), what an order says, read once from what an agent typed, and how the
//! invoices that name an order are matched to it. The invoice must carry the order's number
//! or the commitment's (CCP D2192-2); an invoice names an order by its `engagement`.

use crate::Cents;
use crate::ids::{IdError, Siret};
use crate::money::MoneyError;
use jiff::civil::Date;
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

/// A purchase order's number: `BC-`, its exercice, its rank in the exercice on six digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct OrderNumber {
    exercice: i16,
    seq: u32,
}

impl OrderNumber {
    /// The last rank an exercice can give (six digits).
    pub const MAX_SEQ: u32 = 999_999;

    /// The `seq`-th order of `exercice` (a four-digit year), when it can be written.
    pub fn new(exercice: i16, seq: u32) -> Option<OrderNumber> {
        ((1000..=9999).contains(&exercice) && (1..=Self::MAX_SEQ).contains(&seq))
            .then_some(OrderNumber { exercice, seq })
    }

    pub fn exercice(self) -> i16 {
        self.exercice
    }

    pub fn seq(self) -> u32 {
        self.seq
    }
}

impl fmt::Display for OrderNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BC-{:04}-{:06}", self.exercice, self.seq)
    }
}

/// A text that is not an order's number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("numéro de bon de commande illisible « {0} » : attendu BC-AAAA-NNNNNN (BC-2026-000123)")]
pub struct OrderNumberError(pub String);

impl FromStr for OrderNumber {
    type Err = OrderNumberError;

    /// `BC-2026-000123` as printed, and as a supplier may copy it onto an invoice: any case,
    /// spaces around, a space for a dash, the rank's leading zeros left out (`bc 2026 123`).
    fn from_str(s: &str) -> Result<OrderNumber, OrderNumberError> {
        let wrong = || OrderNumberError(s.trim().to_owned());
        let text = s.trim().to_ascii_uppercase().replace(' ', "-");
        let mut parts = text.split('-');
        let (Some("BC"), Some(year), Some(rank), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(wrong());
        };
        let digits = |t: &str, max: usize| {
            !t.is_empty() && t.len() <= max && t.bytes().all(|b| b.is_ascii_digit())
        };
        if year.len() != 4 || !digits(year, 4) || !digits(rank, 6) {
            return Err(wrong());
        }
        let exercice = year.parse().map_err(|_| wrong())?;
        let seq = rank.parse().map_err(|_| wrong())?;
        OrderNumber::new(exercice, seq).ok_or_else(wrong)
    }
}

/// A field of the order form, named as the command line and the form name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderField {
    Service,
    Supplier,
    Object,
    Amount,
    Commitment,
    Delivery,
}

impl OrderField {
    pub fn label_fr(self) -> &'static str {
        match self {
            OrderField::Service => "service",
            OrderField::Supplier => "fournisseur",
            OrderField::Object => "objet",
            OrderField::Amount => "montant",
            OrderField::Commitment => "engagement",
            OrderField::Delivery => "date de livraison",
        }
    }

    /// The longest text the field takes (characters): what a printed order can hold.
    fn max_chars(self) -> usize {
        match self {
            OrderField::Service => 120,
            OrderField::Object => 500,
            OrderField::Commitment => 60,
            _ => 0,
        }
    }
}

/// Why an order as typed is refused, in French; [`OrderInputError::field`] says which field
/// (the message is shown beside it, or after its name).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OrderInputError {
    #[error("à renseigner")]
    Empty(OrderField),
    #[error("{max} caractères au plus ({found} donnés)")]
    TooLong {
        field: OrderField,
        max: usize,
        found: usize,
    },
    #[error("{0}")]
    Siret(IdError),
    #[error("{0}")]
    Amount(MoneyError),
    #[error("{0} : un bon de commande engage un montant supérieur à zéro")]
    NotPositive(Cents),
    #[error(
        "le {} est antérieur à la date du bon de commande ({})",
        .delivery.strftime("%d/%m/%Y"),
        .issued.strftime("%d/%m/%Y")
    )]
    DeliveryBefore { delivery: Date, issued: Date },
}

impl OrderInputError {
    /// The field to point at.
    pub fn field(&self) -> OrderField {
        match self {
            OrderInputError::Empty(f) | OrderInputError::TooLong { field: f, .. } => *f,
            OrderInputError::Siret(_) => OrderField::Supplier,
            OrderInputError::Amount(_) | OrderInputError::NotPositive(_) => OrderField::Amount,
            OrderInputError::DeliveryBefore { .. } => OrderField::Delivery,
        }
    }
}

/// An order as the agent typed it.
#[derive(Debug, Clone, Copy)]
pub struct OrderInput<'a> {
    pub service: &'a str,
    /// The supplier's SIRET.
    pub supplier: &'a str,
    pub object: &'a str,
    pub amount: &'a str,
    /// A commitment's number given by the finance system before the crisis, if any.
    pub commitment: Option<&'a str>,
    pub delivery: Option<Date>,
}

/// An order read and checked: what the store records and the document prints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOrder {
    pub service: String,
    pub siret: Siret,
    pub object: String,
    pub amount: Cents,
    pub commitment: Option<String>,
    pub delivery: Option<Date>,
}

impl NewOrder {
    /// Reads `input` for an order issued on `issued` (the authority's day). Texts keep their
    /// words with single spaces between them: a tab or a line break would cut a listing's
    /// line.
    pub fn parse(input: &OrderInput<'_>, issued: Date) -> Result<NewOrder, OrderInputError> {
        let service = text(input.service, OrderField::Service)?;
        let siret = Siret::parse(input.supplier).map_err(OrderInputError::Siret)?;
        let object = text(input.object, OrderField::Object)?;
        let amount = Cents::parse(input.amount).map_err(OrderInputError::Amount)?;
        if amount <= Cents::ZERO {
            return Err(OrderInputError::NotPositive(amount));
        }
        let commitment = match input.commitment.map(str::trim) {
            None | Some("") => None,
            Some(c) => Some(text(c, OrderField::Commitment)?),
        };
        if let Some(delivery) = input.delivery
            && delivery < issued
        {
            return Err(OrderInputError::DeliveryBefore { delivery, issued });
        }
        Ok(NewOrder {
            service,
            siret,
            object,
            amount,
            commitment,
            delivery: input.delivery,
        })
    }
}

fn text(raw: &str, field: OrderField) -> Result<String, OrderInputError> {
    let words: Vec<&str> = raw.split_whitespace().collect();
    if words.is_empty() {
        return Err(OrderInputError::Empty(field));
    }
    let joined = words.join(" ");
    let found = joined.chars().count();
    if found > field.max_chars() {
        return Err(OrderInputError::TooLong {
            field,
            max: field.max_chars(),
            found,
        });
    }
    Ok(joined)
}

/// An invoice as the matching sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvoiceClaim<'a> {
    /// Its `engagement`: the order's number, a commitment of the old system, or nothing.
    pub commitment: Option<&'a str>,
    pub amount: Cents,
    /// A rejected invoice is not to be paid: it invoices nothing.
    pub rejected: bool,
}

/// What is invoiced against one order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrderBalance {
    /// The invoices that name it (indexes in the invoices given), rejected ones aside.
    pub invoices: Vec<usize>,
    pub invoiced: Cents,
    /// The amount less what is invoiced: negative when the invoices go beyond the order.
    pub remaining: Cents,
}

/// Every order's balance, and the invoices that name no order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Matching {
    /// One per order, in the order given.
    pub balances: Vec<OrderBalance>,
    /// Indexes of the invoices, rejected ones aside, whose `engagement` is empty or names no
    /// known order.
    pub unmatched: Vec<usize>,
}

/// Matches `invoices` to `orders` (number and amount): an invoice belongs to the order its
/// `engagement` names (read as [`OrderNumber`] reads it).
pub fn match_invoices(orders: &[(OrderNumber, Cents)], invoices: &[InvoiceClaim<'_>]) -> Matching {
    let index: BTreeMap<OrderNumber, usize> = orders
        .iter()
        .enumerate()
        .map(|(i, (n, _))| (*n, i))
        .collect();
    let mut balances: Vec<OrderBalance> = orders
        .iter()
        .map(|(_, amount)| OrderBalance {
            remaining: *amount,
            ..OrderBalance::default()
        })
        .collect();
    let mut unmatched = Vec::new();
    for (i, invoice) in invoices.iter().enumerate() {
        if invoice.rejected {
            continue;
        }
        let order = invoice
            .commitment
            .and_then(|c| c.parse::<OrderNumber>().ok())
            .and_then(|n| index.get(&n))
            .and_then(|&k| balances.get_mut(k));
        match order {
            Some(b) => {
                b.invoices.push(i);
                b.invoiced = Cents(b.invoiced.0.saturating_add(invoice.amount.0));
                b.remaining = Cents(b.remaining.0.saturating_sub(invoice.amount.0));
            }
            None => unmatched.push(i),
        }
    }
    Matching {
        balances,
        unmatched,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn n(exercice: i16, seq: u32) -> OrderNumber {
        OrderNumber::new(exercice, seq).expect("number")
    }

    #[test]
    fn numbers_are_written_on_six_digits_and_read_back_as_suppliers_copy_them() {
        assert_eq!(n(2026, 123).to_string(), "BC-2026-000123");
        assert_eq!(n(2026, 999_999).to_string(), "BC-2026-999999");
        for typed in [
            "BC-2026-000123",
            " bc-2026-000123 ",
            "BC 2026 000123",
            "BC-2026-123",
        ] {
            assert_eq!(typed.parse::<OrderNumber>(), Ok(n(2026, 123)), "{typed}");
        }
        for wrong in [
            "",
            "BC-2026",
            "BC-2026-0000123",
            "BC-26-000123",
            "BC-2026-000000",
            "ENG-2026-00012",
            "BC-2026-00012a",
            "BC--2026-1",
            "BC-2026-+12",
        ] {
            let e = wrong.parse::<OrderNumber>().expect_err(wrong);
            assert!(e.to_string().contains("BC-AAAA-NNNNNN"), "{e}");
        }
        assert_eq!(OrderNumber::new(2026, 0), None);
        assert_eq!(OrderNumber::new(2026, 1_000_000), None);
        assert_eq!(OrderNumber::new(999, 1), None);
        assert!(n(2026, 2) < n(2026, 10) && n(2026, 999_999) < n(2027, 1));
    }

    fn input<'a>(supplier: &'a str, amount: &'a str) -> OrderInput<'a> {
        OrderInput {
            service: " Direction des routes ",
            supplier,
            object: "Sel de\tdéneigement\n20 t",
            amount,
            commitment: Some("  "),
            delivery: None,
        }
    }

    #[test]
    fn an_order_is_read_once_and_each_refusal_names_its_field() {
        let day = date(2026, 12, 1);
        let order = NewOrder::parse(&input("73282932000074", "1 234,56"), day).expect("order");
        assert_eq!(order.service, "Direction des routes");
        assert_eq!(order.object, "Sel de déneigement 20 t");
        assert_eq!(order.amount, Cents(123_456));
        assert_eq!(order.commitment, None);
        // As an agent reads it: the field, then why.
        let refused = |i: OrderInput<'_>| {
            let e = NewOrder::parse(&i, day).expect_err("refused");
            (e.field(), format!("{} : {e}", e.field().label_fr()))
        };
        let (field, e) = refused(input("73282932000075", "10"));
        assert_eq!(field, OrderField::Supplier);
        assert_eq!(e, "fournisseur : SIRET : clé de contrôle fausse");
        for amount in ["0", "-5", "0,00"] {
            let (field, e) = refused(input("73282932000074", amount));
            assert_eq!(field, OrderField::Amount);
            assert!(
                e.ends_with("un bon de commande engage un montant supérieur à zéro"),
                "{e}"
            );
        }
        let (_, e) = refused(input("73282932000074", "douze"));
        assert!(e.starts_with("montant : montant illisible"), "{e}");
        let (_, e) = refused(OrderInput {
            object: " \n ",
            ..input("73282932000074", "10")
        });
        assert_eq!(e, "objet : à renseigner");
        let (_, e) = refused(OrderInput {
            service: "",
            ..input("73282932000074", "10")
        });
        assert_eq!(e, "service : à renseigner");
        let long = "x".repeat(501);
        let (_, e) = refused(OrderInput {
            object: &long,
            ..input("73282932000074", "10")
        });
        assert_eq!(e, "objet : 500 caractères au plus (501 donnés)");
        let (_, e) = refused(OrderInput {
            delivery: Some(date(2026, 11, 30)),
            ..input("73282932000074", "10")
        });
        assert_eq!(
            e,
            "date de livraison : le 30/11/2026 est antérieur à la date du bon de commande (01/12/2026)"
        );
    }

    #[test]
    fn invoices_are_matched_to_the_order_they_name_and_the_rest_is_listed() {
        let orders = [(n(2026, 1), Cents(10_000)), (n(2026, 2), Cents(5_000))];
        let claim = |commitment: Option<&'static str>, cents: i64, rejected: bool| InvoiceClaim {
            commitment,
            amount: Cents(cents),
            rejected,
        };
        let invoices = [
            claim(Some("BC-2026-000001"), 4_000, false),
            claim(Some("bc-2026-1"), 7_000, false),
            claim(Some("BC-2026-000001"), 9_999, true),
            claim(Some("ENG-2026-00012"), 1_000, false),
            claim(None, 1_000, false),
            claim(Some("BC-2026-000009"), 1_000, false),
            claim(None, 1_000, true),
        ];
        let m = match_invoices(&orders, &invoices);
        assert_eq!(m.balances[0].invoices, vec![0, 1]);
        assert_eq!(m.balances[0].invoiced, Cents(11_000));
        assert_eq!(m.balances[0].remaining, Cents(-1_000));
        assert_eq!(
            m.balances[1],
            OrderBalance {
                invoices: vec![],
                invoiced: Cents::ZERO,
                remaining: Cents(5_000),
            }
        );
        assert_eq!(m.unmatched, vec![3, 4, 5]);
    }
}
