//! The directory's deletes and edges: the soft-delete bin and hard deletes (with the
//! memberships and manager links of the object), members, managers, and objects rendered
//! with a `$select`.

use serde_json::{Map, Value};

use crate::directory::{Directory, Kind, Object, Refusal, What};

impl Directory {
    /// Deletes an object: into the bin (soft) or for good (hard).
    pub fn delete(&mut self, kind: Kind, id: &str, hard: bool) -> Result<(), Refusal> {
        if self.get(kind, id).is_none() {
            if hard && self.deleted.remove(id).is_some() {
                self.record(kind, id, What::HardDeleted);
                return Ok(());
            }
            return Err(Refusal::not_found(id));
        }
        self.index(id, false);
        let Some(o) = self.objects.remove(id) else {
            return Err(Refusal::not_found(id));
        };
        // Edges to the object go with it.
        let groups: Vec<String> = self
            .objects
            .values()
            .filter(|g| g.members.contains(id))
            .map(|g| g.id.clone())
            .collect();
        for g in groups {
            if let Some(group) = self.objects.get_mut(&g) {
                group.members.remove(id);
            }
            self.record(Kind::Group, &g, What::Member(id.to_owned(), false));
        }
        let reports: Vec<String> = self
            .objects
            .values()
            .filter(|u| u.manager.as_deref() == Some(id))
            .map(|u| u.id.clone())
            .collect();
        for u in reports {
            if let Some(user) = self.objects.get_mut(&u) {
                user.manager = None;
            }
            self.record(Kind::User, &u, What::Manager);
        }
        self.drop_owner(id);
        if hard {
            self.record(kind, id, What::HardDeleted);
        } else {
            self.deleted.insert(id.to_owned(), o);
            self.record(kind, id, What::SoftDeleted);
        }
        Ok(())
    }

    /// Adds a member to a group.
    pub fn add_member(&mut self, group: &str, member: &str) -> Result<(), Refusal> {
        if !self.objects.contains_key(member) {
            return Err(Refusal::not_found(member));
        }
        let g = self
            .objects
            .get_mut(group)
            .filter(|g| g.kind == Kind::Group)
            .ok_or_else(|| Refusal::not_found(group))?;
        if !g.members.insert(member.to_owned()) {
            return Err(Refusal::new(
                400,
                "Request_BadRequest",
                "One or more added object references already exist for the following modified properties: 'members'.",
            ));
        }
        self.record(Kind::Group, group, What::Member(member.to_owned(), true));
        Ok(())
    }

    /// Removes a member from a group.
    pub fn remove_member(&mut self, group: &str, member: &str) -> Result<(), Refusal> {
        let g = self
            .objects
            .get_mut(group)
            .filter(|g| g.kind == Kind::Group)
            .ok_or_else(|| Refusal::not_found(group))?;
        if !g.members.remove(member) {
            return Err(Refusal::not_found(member));
        }
        self.record(Kind::Group, group, What::Member(member.to_owned(), false));
        Ok(())
    }

    /// Sets (or with `None` removes) a user's manager.
    pub fn set_manager(&mut self, user: &str, manager: Option<&str>) -> Result<(), Refusal> {
        if let Some(m) = manager
            && !self.objects.contains_key(m)
        {
            return Err(Refusal::not_found(m));
        }
        let u = self
            .objects
            .get_mut(user)
            .filter(|u| u.kind == Kind::User)
            .ok_or_else(|| Refusal::not_found(user))?;
        if manager.is_none() && u.manager.is_none() {
            return Err(Refusal::not_found("manager"));
        }
        if u.manager.as_deref() != manager {
            u.manager = manager.map(str::to_owned);
            self.record(Kind::User, user, What::Manager);
        }
        Ok(())
    }

    /// The object as JSON with the `select`ed properties (all when `select` is empty);
    /// a selected property it lacks is `null`.
    pub fn render(&self, o: &Object, select: &[String]) -> Value {
        let mut out = Map::new();
        out.insert("id".into(), Value::String(o.id.clone()));
        if select.is_empty() {
            for (k, v) in &o.props {
                out.insert(k.clone(), v.clone());
            }
        } else {
            for s in select {
                if s == "id" || s == "members" || s == "manager" {
                    continue;
                }
                out.insert(s.clone(), o.props.get(s).cloned().unwrap_or(Value::Null));
            }
        }
        Value::Object(out)
    }
}
