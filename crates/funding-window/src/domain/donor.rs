//! Donors: registering them.

use crate::command::RegisterDonor;
use crate::error::{LedgerError, Result};
use crate::ids::{check_id, check_text};
use crate::plan::{Change, Plan};
use crate::records::Donor;
use crate::state::State;

impl State {
    pub(crate) fn plan_register_donor(&self, c: &RegisterDonor) -> Result<Plan> {
        check_id("donor", &c.id)?;
        check_text("name", &c.name, true)?;
        if self.donor_index.contains_key(&c.id) {
            return Err(LedgerError::DuplicateId { kind: "donor".into(), id: c.id.clone() });
        }
        Ok(Plan::undated(Change::PushDonor(Donor { id: c.id.clone(), name: c.name.clone(), kind: c.kind })))
    }
}
