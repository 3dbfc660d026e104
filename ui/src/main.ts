// Marks like this one time the start for the rendering benchmark (LEADSCOUT_BENCH_TRACE=1).
performance.mark("script-start");
import { mount } from "svelte";
import "./app.css";
import App from "./App.svelte";

const target = document.getElementById("app");
if (!target) throw new Error("index.html has no #app element");

const app = mount(App, { target });
performance.mark("app-mounted");
export default app;
