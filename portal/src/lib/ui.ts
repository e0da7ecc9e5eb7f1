/**
 * Shared Tailwind class lists, so buttons, inputs and cards look the same on
 * every page without a component per element.
 */

const buttonBase =
  "inline-flex items-center justify-center gap-2 rounded-lg text-sm font-medium transition-colors " +
  "focus-visible:outline-2 focus-visible:outline-offset-2 disabled:cursor-not-allowed disabled:opacity-60";

export const ui = {
  buttonPrimary: `${buttonBase} bg-indigo-600 px-4 py-2.5 text-white shadow-sm hover:bg-indigo-500 focus-visible:outline-indigo-600`,
  buttonSecondary: `${buttonBase} border border-slate-300 bg-white px-4 py-2.5 text-slate-700 shadow-sm hover:bg-slate-50 focus-visible:outline-indigo-600`,
  buttonSecondarySmall: `${buttonBase} border border-slate-300 bg-white px-3 py-1.5 text-slate-700 shadow-xs hover:bg-slate-50 focus-visible:outline-indigo-600`,
  buttonDanger: `${buttonBase} bg-red-600 px-4 py-2.5 text-white shadow-sm hover:bg-red-500 focus-visible:outline-red-600`,
  buttonGhostDanger: `${buttonBase} px-2.5 py-1.5 text-red-700 hover:bg-red-50 focus-visible:outline-red-600`,
  buttonGhost: `${buttonBase} px-3 py-2 text-slate-600 hover:bg-slate-100 hover:text-slate-900 focus-visible:outline-indigo-600`,
  input:
    "block h-10 w-full rounded-lg border border-slate-300 bg-white px-3 py-2 text-sm text-slate-900 shadow-xs " +
    "placeholder:text-slate-400 focus:border-indigo-500 focus:outline-2 focus:outline-offset-0 focus:outline-indigo-500/30 " +
    "aria-invalid:border-red-500 aria-invalid:focus:outline-red-500/30 disabled:bg-slate-50",
  label: "block text-sm font-medium text-slate-700",
  hint: "mt-1.5 text-xs text-slate-500",
  fieldError: "mt-1.5 text-xs font-medium text-red-600",
  card: "rounded-xl border border-slate-200 bg-white shadow-xs",
  cardHeader: "flex flex-wrap items-center justify-between gap-3 border-b border-slate-100 px-5 py-4 sm:px-6",
  cardTitle: "text-base font-semibold text-slate-900",
  pageTitle: "text-2xl font-semibold tracking-tight text-slate-900",
  pageSubtitle: "mt-1 text-sm text-slate-500",
};
