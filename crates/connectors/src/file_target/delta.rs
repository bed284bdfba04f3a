//! Delta imports: the watermark checked against the folder, then the history after it
//! handed over a page at a time (`history.rs`).

use std::ops::ControlFlow;

use syncrules_connector::{ConnectorError, ImportBatch, Page};

use super::history::History;
use super::lock::FolderLock;
use super::{FileTarget, NO_EPOCH, folder, watermark};

impl FileTarget {
    /// Reads the changes after the watermark `mark`, handing them to `page` at most
    /// `page_size` at a time; the batch returned has the new watermark and no entries.
    pub(super) fn read_delta(
        &mut self,
        mark: &str,
        page_size: usize,
        page: &mut dyn FnMut(Page) -> ControlFlow<()>,
    ) -> Result<ImportBatch, ConnectorError> {
        let parsed = mark
            .strip_prefix("file-target:2:")
            .and_then(|rest| rest.split_once(':'))
            .and_then(|(epoch, n)| Some((epoch.to_owned(), n.parse::<u64>().ok()?)));
        let Some((epoch, since)) = parsed else {
            return Err(self.expired());
        };
        if self.missing() {
            return match (epoch.as_str(), since) {
                (NO_EPOCH, 0) => Ok(ImportBatch {
                    errors: Vec::new(),
                    entries: Vec::new(),
                    watermark: Some(mark.to_owned()),
                }),
                _ => Err(self.expired()),
            };
        }
        // Without an open store, the history is read without replaying the journal.
        let light = match self.store {
            Some(_) => None,
            None => {
                if self.lock.is_none() {
                    let lock = FolderLock::acquire(&self.dir).map_err(|e| self.error(e.into()))?;
                    self.lock = Some(lock);
                }
                folder::history(&self.dir, &self.unique).map_err(|e| self.error(e))?
            }
        };
        let (header, seq, journal_len) = match light {
            Some(light) => light,
            None => {
                let store = self.open()?;
                (store.header.clone(), store.seq, store.journal_len())
            }
        };
        // A watermark of the missing folder covers the history of a folder created since,
        // while its journals go back to its start.
        let same = epoch == header.epoch || (epoch == NO_EPOCH && since == 0);
        if !same {
            return Err(self.expired());
        }
        let history = History {
            dir: &self.dir,
            header: &header,
            seq,
            journal_len,
        };
        match history.pages_since(since, page_size, page) {
            Ok(true) => Ok(ImportBatch {
                errors: Vec::new(),
                entries: Vec::new(),
                watermark: Some(watermark(&header.epoch, seq)),
            }),
            Ok(false) => Err(self.expired()),
            Err(e) => Err(self.error(e)),
        }
    }
}
