import { useQuery } from "@tanstack/react-query";
import { lazy, Suspense, useEffect } from "react";
import { ApiError, api, setCsrfToken } from "./api/api.ts";
import type { AuthState, Me } from "./api/apiTypes.ts";
import { useLiveEvents } from "./api/useLiveEvents.ts";
import { useRoute } from "./api/useRoute.ts";
import { AccountPage } from "./auth/AccountPage.tsx";
import { SetupPage } from "./auth/SetupPage.tsx";
import { SignInPage } from "./auth/SignInPage.tsx";
import { InboxPage } from "./inbox/InboxPage.tsx";
import { Shell } from "./layout/Shell.tsx";
import { SimulatorPage } from "./simulator/SimulatorPage.tsx";

// The simulator page lives at /simulate: /simulator is the server's mock Graph API.
// Reports (with its chart library), Settings and Workflows load on first visit, keeping the initial bundle small.
const ReportsPage = lazy(() => import("./reports/ReportsPage.tsx"));
const SettingsPage = lazy(() => import("./settings/SettingsPage.tsx"));
const WorkflowsPage = lazy(() => import("./workflows/WorkflowsPage.tsx"));

export function App() {
  const state = useQuery({
    queryKey: ["auth-state"],
    queryFn: () => api<AuthState>("GET", "/api/v1/auth/state"),
  });
  const me = useQuery({
    queryKey: ["me"],
    queryFn: async () => {
      try {
        const m = await api<Me>("GET", "/api/v1/me");
        setCsrfToken(m.csrf_token);
        return m;
      } catch (err) {
        if (err instanceof ApiError && err.status === 401) return null;
        throw err;
      }
    },
    enabled: state.data?.setup_required === false,
  });
  const brand = me.data?.workspace.brand_name ?? state.data?.brand_name ?? "";
  useEffect(() => {
    if (brand) document.title = brand;
  }, [brand]);
  const live = useLiveEvents(Boolean(me.data));
  const { path } = useRoute();

  if (state.isPending || (state.data?.setup_required === false && me.isPending))
    return <div className="splash">Loading…</div>;
  // A failed background refetch (say, the server restarting) keeps the last good answer on screen.
  if ((state.error && !state.data) || (me.error && me.data === undefined))
    return <div className="splash">Can't reach the server: {(state.error ?? me.error)?.message}</div>;
  if (state.data?.setup_required) return <SetupPage brand={brand} />;
  const signedIn = me.data;
  if (!signedIn) return <SignInPage brand={brand} />;

  const page = () => {
    if (path.startsWith("/simulate")) return <SimulatorPage me={signedIn} />;
    if (path.startsWith("/reports")) return <ReportsPage />;
    if (path.startsWith("/account")) return <AccountPage me={signedIn} />;
    if (path.startsWith("/settings")) return <SettingsPage me={signedIn} />;
    if (path.startsWith("/workflows")) return <WorkflowsPage me={signedIn} />;
    return <InboxPage me={signedIn} />;
  };
  return (
    <Shell me={signedIn} brand={brand} live={live} path={path}>
      <Suspense fallback={<div className="splash">Loading…</div>}>{page()}</Suspense>
    </Shell>
  );
}
