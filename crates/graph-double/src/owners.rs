//! A group's owners: `POST /groups/{id}/owners/$ref`, `DELETE /groups/{id}/owners/{id}/$ref`,
//! `GET /groups/{id}/owners` and `$expand=owners` on groups. Owners are users; delta
//! queries do not report them (a change of owners makes no delta entry), and `$expand`
//! of a directory object's relationship gives at most [`EXPAND_MAX`] objects.

use serde_json::{Value, json};

use crate::directory::{Directory, Kind, Object, Refusal, What};

/// The most objects `$expand` gives of one relationship (Graph's documented limit for
/// directory objects); the whole list is read from the relationship itself.
pub const EXPAND_MAX: usize = 20;

/// Objects on one page of a list with `$expand`, at most (Graph's limit).
pub(crate) const EXPAND_PAGE_MAX: usize = 100;

impl Directory {
    /// Adds an owner (a user) to a group.
    pub fn add_owner(&mut self, group: &str, owner: &str) -> Result<(), Refusal> {
        match self.objects.get(owner) {
            None => return Err(Refusal::not_found(owner)),
            Some(o) if o.kind != Kind::User => {
                return Err(Refusal::new(
                    400,
                    "Request_BadRequest",
                    "Unsupported referenced-object resource identifier for link property 'owners'.",
                ));
            }
            Some(_) => {}
        }
        let g = self
            .objects
            .get_mut(group)
            .filter(|g| g.kind == Kind::Group)
            .ok_or_else(|| Refusal::not_found(group))?;
        if !g.owners.insert(owner.to_owned()) {
            return Err(Refusal::new(
                400,
                "Request_BadRequest",
                "One or more added object references already exist for the following modified properties: 'owners'.",
            ));
        }
        self.record(Kind::Group, group, What::Owner(owner.to_owned(), true));
        Ok(())
    }

    /// Removes an owner from a group.
    pub fn remove_owner(&mut self, group: &str, owner: &str) -> Result<(), Refusal> {
        let g = self
            .objects
            .get_mut(group)
            .filter(|g| g.kind == Kind::Group)
            .ok_or_else(|| Refusal::not_found(group))?;
        if !g.owners.remove(owner) {
            return Err(Refusal::not_found(owner));
        }
        self.record(Kind::Group, group, What::Owner(owner.to_owned(), false));
        Ok(())
    }

    /// Ends the ownerships of an object being deleted.
    pub(crate) fn drop_owner(&mut self, owner: &str) {
        let groups: Vec<String> = self
            .objects
            .values()
            .filter(|g| g.owners.contains(owner))
            .map(|g| g.id.clone())
            .collect();
        for g in groups {
            if let Some(group) = self.objects.get_mut(&g) {
                group.owners.remove(owner);
            }
            self.record(Kind::Group, &g, What::Owner(owner.to_owned(), false));
        }
    }

    /// A group's owners as directory objects, every one.
    pub(crate) fn owner_items(&self, g: &Object) -> Vec<Value> {
        g.owners
            .iter()
            .filter_map(|m| self.objects.get(m))
            .map(|m| json!({"@odata.type": m.kind.odata_type(), "id": m.id}))
            .collect()
    }

    /// `render` with `$expand=owners` honoured (at most [`EXPAND_MAX`] owners).
    pub(crate) fn render_expanded(&self, o: &Object, select: &[String], expand: bool) -> Value {
        let mut v = self.render(o, select);
        if expand
            && o.kind == Kind::Group
            && let Some(m) = v.as_object_mut()
        {
            let mut owners = self.owner_items(o);
            owners.truncate(EXPAND_MAX);
            m.insert("owners".into(), Value::Array(owners));
        }
        v
    }
}

/// `$expand` names `owners` (`owners` or `owners($select=id)`).
pub(crate) fn expands_owners(params: &[(String, String)]) -> bool {
    params
        .iter()
        .filter(|(k, _)| k == "$expand")
        .flat_map(|(_, v)| v.split(','))
        .any(|e| e.trim() == "owners" || e.trim().starts_with("owners("))
}
