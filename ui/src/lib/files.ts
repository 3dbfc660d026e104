// Native open and save dialogs (the Tauri dialog plugin). Outside the app there are none: the
// functions say so by returning null, and the caller keeps its path field.
const CONTACTS = { name: "Contacts (CSV, vCard)", extensions: ["csv", "tsv", "txt", "vcf", "vcard"] };

export async function pickFile(filter: { name: string; extensions: string[] } = CONTACTS): Promise<string | null> {
  try {
    const { open } = await import("@tauri-apps/plugin-dialog");
    const picked = await open({
      multiple: false,
      directory: false,
      filters: [filter, { name: "All files", extensions: ["*"] }],
    });
    return typeof picked === "string" ? picked : null;
  } catch {
    return null;
  }
}

export async function pickSavePath(defaultName: string, extension: string, label: string): Promise<string | null> {
  try {
    const { save } = await import("@tauri-apps/plugin-dialog");
    return await save({ defaultPath: defaultName, filters: [{ name: label, extensions: [extension] }] });
  } catch {
    return null;
  }
}
