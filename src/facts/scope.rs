//! One service's view of a workspace: the facts that belong to it.
//!
//! A workspace with several services is scored per service as well as as a
//! whole. A service's scope is its own package plus every workspace library it
//! depends on (directly or through other workspace libraries), so a shared
//! `common` crate that sets up logging counts for each service that uses it.
//! Files outside every package (a root Dockerfile, CI workflows, docs, compose
//! files) belong to every service; files of other packages belong to none of
//! this service's items. Routes and OpenAPI documents generated from code are
//! joined again within the scope, so a route of another service never decides
//! this one's items.

use super::packages::{package_of, same_crate};
use super::{generated_spec, routes, Facts};
use crate::extract::cargo::DepKind;

impl Facts {
    /// Indices of the packages that are services, when there are at least two
    /// of them (one service is the whole report already). A service is a
    /// binary that serves HTTP or gRPC: it depends on a server framework
    /// itself, or a workspace library it links mounts routes. The libraries
    /// count for it, not as services of their own, and a CLI that links a
    /// framework-using library without serving anything is not one. In a tree
    /// where no package builds a binary (or none is visible), the server
    /// packages themselves are scored.
    pub fn service_packages_to_score(&self) -> Vec<usize> {
        let pkgs = &self.packages;
        let any_bin = pkgs.iter().any(|p| p.has_bin && p.is_service_code());
        let servers: Vec<usize> = (0..pkgs.len())
            .filter(|&i| {
                if !any_bin {
                    return pkgs[i].is_server();
                }
                pkgs[i].has_bin
                    && pkgs[i].is_service_code()
                    && (pkgs[i].is_server() || self.scope_mounts_routes(i))
            })
            .collect();
        if servers.len() >= 2 {
            servers
        } else {
            Vec::new()
        }
    }

    /// A workspace library in `service`'s scope mounts routes.
    fn scope_mounts_routes(&self, service: usize) -> bool {
        let scope = self.scope_of(service);
        self.routes.iter().any(|r| {
            r.mounted
                && package_of(&self.packages, &r.location.path).is_some_and(|p| {
                    p != service && scope.contains(&p) && self.packages[p].is_server()
                })
        })
    }

    /// The packages in a service's scope: the service and the workspace
    /// packages it depends on, transitively (normal and build dependencies).
    pub fn scope_of(&self, service: usize) -> Vec<usize> {
        let mut scope = vec![service];
        let mut i = 0;
        while i < scope.len() {
            let p = &self.packages[scope[i]];
            for d in p.deps.iter().filter(|d| d.kind != DepKind::Dev) {
                if let Some(q) = self
                    .packages
                    .iter()
                    .position(|q| same_crate(&q.name, &d.name))
                {
                    if !scope.contains(&q) {
                        scope.push(q);
                    }
                }
            }
            i += 1;
        }
        scope.sort();
        scope
    }

    /// The facts of one service (see the module docs).
    pub fn scoped_to(&self, service: usize) -> Facts {
        let scope = self.scope_of(service);
        let keep = |path: &str| match package_of(&self.packages, path) {
            Some(p) => scope.contains(&p),
            None => true,
        };
        let packages: Vec<_> = scope.iter().map(|&i| self.packages[i].clone()).collect();
        let mut f = Facts {
            root: self.root.clone(),
            files: self
                .files
                .iter()
                .filter(|x| keep(&x.path))
                .cloned()
                .collect(),
            skipped: Vec::new(),
            rust: self
                .rust
                .iter()
                .filter(|x| keep(&x.path))
                .cloned()
                .collect(),
            manifests: self
                .manifests
                .iter()
                .filter(|m| m.package.is_none() || keep(&m.path))
                .cloned()
                .collect(),
            packages,
            lock: self.lock.clone(),
            dockerfiles: self
                .dockerfiles
                .iter()
                .filter(|x| keep(&x.path))
                .cloned()
                .collect(),
            specs: self
                .specs
                .iter()
                .filter(|s| !s.generated && keep(&s.path))
                .cloned()
                .collect(),
            ci: self.ci.clone(),
            coverage: self.coverage.clone(),
            sql: self.sql.iter().filter(|x| keep(&x.path)).cloned().collect(),
            texts: self
                .texts
                .iter()
                .filter(|x| keep(&x.path))
                .cloned()
                .collect(),
            yaml: self
                .yaml
                .iter()
                .filter(|x| keep(&x.path))
                .cloned()
                .collect(),
            routes: Vec::new(),
            router_roots: Vec::new(),
            unmounted_routes: Vec::new(),
            workloads: Vec::new(),
            k8s_objects: Vec::new(),
            diagnostics: Vec::new(),
            cargo_source: self.cargo_source.clone(),
            index: Default::default(),
        };
        (f.workloads, f.k8s_objects) = super::manifests::collect(&f.yaml, &f.texts);
        let joined = routes::join(&f.rust, &f.packages);
        (f.routes, f.router_roots, f.unmounted_routes) =
            (joined.routes, joined.roots, joined.unmounted);
        let generated = generated_spec::from_code(&f);
        f.specs.extend(generated);
        f
    }
}
