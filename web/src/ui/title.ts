import { useEffect } from 'react';

/** The tab's title: "<page> · Aftercare" (a pinned tab shows the start of it). */
export function useDocumentTitle(title: string): void {
  useEffect(() => {
    document.title = title ? `${title} · Aftercare` : 'Aftercare';
  }, [title]);
}
